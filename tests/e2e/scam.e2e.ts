/**
 * "Is this message a scam?" end to end in both browsers with the built extension: the issue's
 * done-when messages (a zh-CN "cancel your campus loan" message and an English gift-card
 * collector are warned about with explanation; a real lender's reminder stays quiet), the
 * context-menu check window and the Learn page, with an accessibility check on each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExtensionSession, type ExtPage, launchExtension } from './harness';

const CAMPUS_LOAN =
  '【金融客服】您好，您在大学期间开通过校园贷账户，根据监管要求需要注销，否则会影响您的个人征信。请按我的指导操作。';
const GIFT_CARD =
  'This is the collections department. You owe $640 on a past due loan. Pay today with Google Play gift cards or a warrant will be issued for your arrest.';
const REMINDER =
  '【招商银行】您尾号1234的信用卡本期账单已出，应还金额1,234.00元，最后还款日11月20日，请按时还款，以免影响个人征信。';

describe('scam check', () => {
  let session: ExtensionSession;

  beforeAll(async () => {
    session = await launchExtension();
  });
  afterAll(async () => {
    await session?.close();
  });

  async function chooseLanguage(language: string) {
    const options = await session.openPage('options.html', '#language');
    await options.select('#language', language);
    await options.waitForAttribute('html', 'lang', language.replace('_', '-'));
    await options.close();
  }

  async function check(popup: ExtPage, text: string, verdict: string) {
    await popup.fill('#scam-text', text);
    await popup.click('#check-scam');
    await popup.waitForAttribute('#scam-result', 'data-verdict', verdict);
  }

  const marks = (page: ExtPage) =>
    page.evaluate(() => [...document.querySelectorAll('#scam-result mark')].map((m) => m.textContent));

  it('warns about a zh-CN campus-loan message with highlighted phrases and an explanation', async () => {
    await chooseLanguage('zh_CN');
    const popup = await session.openPage('popup.html', '[role="tab"]');
    await popup.click('#tab-scam');
    await popup.waitFor('#scam-text');
    await check(popup, CAMPUS_LOAN, 'scam');
    const highlighted = (await marks(popup)).join('|');
    expect(highlighted).toContain('校园贷');
    expect(highlighted).toContain('注销');
    expect(await popup.text('#scam-result')).toContain('警告');
    expect(await popup.text('#scam-result [data-script="zh-campus-loan-cancellation"]')).toContain('征信');
    expect(await popup.getSeriousAxeViolations()).toEqual([]);

    await check(popup, REMINDER, 'safe');
    expect(await popup.count('#scam-result mark')).toBe(0);
    await popup.close();
  });

  it('warns about an English gift-card collector, and an empty text gets a clear error', async () => {
    await chooseLanguage('en');
    const popup = await session.openPage('popup.html', '[role="tab"]');
    await popup.click('#tab-scam');
    await popup.waitFor('#scam-text');
    await popup.click('#check-scam');
    expect(await popup.waitForText('#scam-text-error', /Paste or type/)).toBeTruthy();
    await check(popup, GIFT_CARD, 'scam');
    expect(await marks(popup)).toEqual(expect.arrayContaining(['gift cards', 'arrest']));
    expect(await popup.text('#scam-result')).toContain('gift card');
    expect(await popup.text('#scam-result')).toContain('ReportFraud.ftc.gov');
    expect(await popup.getSeriousAxeViolations()).toEqual([]);
    await popup.close();
  });

  it('answers the context-menu selection in the check window', async () => {
    const popup = await session.openPage('popup.html', '[role="tab"]');
    // What the background does on a menu click: park the selection in session storage.
    await popup.evaluate(
      (text) =>
        (
          globalThis as unknown as { chrome: { storage: { session: { set(v: object): Promise<void> } } } }
        ).chrome.storage.session.set({ 'scamSelection:e2e': text }),
      GIFT_CARD,
    );
    await popup.close();
    const window = await session.openPage('scam-check.html?id=e2e', '#scam-result');
    expect(await window.attribute('#scam-result', 'data-verdict')).toBe('scam');
    expect(await window.getSeriousAxeViolations()).toEqual([]);
    // The selection is read once and removed.
    await window.reload('.notice');
    expect(await window.text('.notice')).toContain('no longer available');
    await window.close();
  });

  it('explains every category on the Learn page with hotlines', async () => {
    const learn = await session.openPage('learn.html', '.learn-card');
    expect(await learn.count('.learn-card')).toBe(15);
    expect(await learn.text('main')).toContain('ReportFraud.ftc.gov');
    expect(await learn.getSeriousAxeViolations()).toEqual([]);
    await learn.close();
  });
});
