/**
 * "Is this message a scam?" end to end in both browsers with the built extension: the issue's
 * done-when messages (a zh-CN "cancel your campus loan" message and an English gift-card
 * collector are warned about with explanation; a real lender's reminder stays quiet), the
 * context-menu check window, the Learn page (also in Traditional Chinese and large text), and
 * page scanning (the built script on a page, its banner in the language chosen in Options),
 * with an accessibility check on each page.
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

  async function setLargeText(on: boolean) {
    const options = await session.openPage('options.html', '#large-text');
    const checked = await options.evaluate(() => (document.getElementById('large-text') as HTMLInputElement).checked);
    if (checked !== on) await options.click('#large-text');
    await options.evaluate(async (want) => {
      for (let i = 0; i < 100 && document.documentElement.classList.contains('large-text') !== want; i++)
        await new Promise((done) => setTimeout(done, 50));
    }, on);
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

  /** The check window as the context menu opens it: the selection waits in session storage. */
  async function openCheckWindow(text: string, id = 'e2e'): Promise<ExtPage> {
    const popup = await session.openPage('popup.html', '[role="tab"]');
    await popup.evaluate(
      ({ key, value }) =>
        (
          globalThis as unknown as { chrome: { storage: { session: { set(v: object): Promise<void> } } } }
        ).chrome.storage.session.set({ [key]: value }),
      { key: `scamSelection:${id}`, value: text },
    );
    await popup.close();
    return session.openPage(`scam-check.html?id=${id}`, '#scam-result');
  }

  it('answers the context-menu selection in the check window', async () => {
    const window = await openCheckWindow(GIFT_CARD);
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
    // The contents list leads to every card and to the hotlines.
    expect(await learn.count('.learn-contents a')).toBe(16);
    expect(await learn.text('main')).toContain('ReportFraud.ftc.gov');
    expect(await learn.getSeriousAxeViolations()).toEqual([]);
    await learn.close();
  });

  it('shows the catalogue in Traditional Chinese for zh-TW, in the popup and on the Learn page, in large text', async () => {
    await chooseLanguage('zh_TW');
    await setLargeText(true);
    const popup = await session.openPage('popup.html', '[role="tab"]');
    await popup.click('#tab-scam');
    await popup.waitFor('#scam-text');
    await check(popup, CAMPUS_LOAN, 'scam');
    const why = await popup.waitForText('#scam-result [data-script="zh-campus-loan-cancellation"]', /徵信/);
    expect(why).toContain('帳戶');
    expect(why).not.toContain('征信');
    expect(await popup.getSeriousAxeViolations()).toEqual([]);
    await popup.close();

    const learn = await session.openPage('learn.html', '.learn-card');
    expect(await learn.attribute('html', 'class')).toContain('large-text');
    const card = await learn.text('#learn-campus-loan-cancellation');
    expect(card).toContain('徵信');
    expect(card).not.toContain('征信');
    expect(await learn.getSeriousAxeViolations()).toEqual([]);
    await learn.close();

    const window = await openCheckWindow(CAMPUS_LOAN, 'e2e-tw');
    expect(await window.waitForText('#scam-result', /註銷/)).toContain('徵信不會');
    expect(await window.getSeriousAxeViolations()).toEqual([]);
    await window.close();
    await setLargeText(false);
  });

  /** The page-scan script as the browser injects it (with its style), into an extension page holding `html`. */
  async function scanPage(html: string): Promise<ExtPage> {
    const page = await session.openPage('learn.html', '.learn-card');
    const style = session.browserName === 'firefox' ? 'assets/scam-highlight-firefox.css' : 'assets/scam-highlight.css';
    await page.evaluate(
      ({ markup, styleFile }) => {
        document.body.innerHTML = markup;
        const link = document.createElement('link');
        link.rel = 'stylesheet';
        link.href = `/${styleFile}`;
        document.head.append(link);
        const script = document.createElement('script');
        script.src = '/scam-scan.js';
        document.head.append(script);
      },
      { markup: html, styleFile: style },
    );
    return page;
  }

  /** The banner's text and look, read through its closed shadow root (extension pages may). */
  const readBanner = (page: ExtPage) =>
    page.evaluate(() => {
      const host = document.querySelector('exposure-guard-scam-banner');
      const extension = globalThis as unknown as {
        chrome?: { dom?: { openOrClosedShadowRoot(e: Element): ShadowRoot } };
      };
      const root = !host
        ? null
        : (extension.chrome?.dom?.openOrClosedShadowRoot(host) ??
          (host as unknown as { openOrClosedShadowRoot: ShadowRoot | null }).openOrClosedShadowRoot);
      const box = root?.querySelector('.banner');
      return box
        ? { text: box.textContent ?? '', lang: box.getAttribute('lang'), large: box.classList.contains('large') }
        : null;
    });

  const highlighted = (page: ExtPage) =>
    page.evaluate(() => {
      const highlight = (CSS as unknown as { highlights: Map<string, Set<AbstractRange>> }).highlights.get(
        'exposure-guard-scam',
      );
      return [...(highlight ?? [])].map((r) => {
        const range = document.createRange();
        range.setStart(r.startContainer, r.startOffset);
        range.setEnd(r.endContainer, r.endOffset);
        return range.toString();
      });
    });

  it('scans a page: highlights scam phrases, keeps a reminder quiet, banner in the chosen language and text size', async () => {
    await chooseLanguage('en');
    await setLargeText(true);
    const page = await scanPage(
      `<main id="inbox"><div class="msg"><p>${REMINDER}</p></div><div class="msg"><p>${GIFT_CARD}</p></div></main>`,
    );
    await page.waitFor('exposure-guard-scam-banner');
    const banner = await readBanner(page);
    expect(banner).toMatchObject({ lang: 'en', large: true });
    expect(banner!.text).toContain('possible scam script on this page');
    expect(banner!.text).toMatch(/Highlighted phrases: \d+\./);
    const phrases = await highlighted(page);
    expect(phrases).toEqual(expect.arrayContaining(['gift cards', 'arrest']));
    // The bank's reminder is not highlighted.
    expect(phrases.join(' ')).not.toMatch(/还款|征信|账单/);

    // A message that arrives later is scanned too.
    const before = phrases.length;
    await page.evaluate((text) => {
      const message = document.createElement('div');
      message.innerHTML = `<p>${text}</p>`;
      document.getElementById('inbox')!.append(message);
    }, CAMPUS_LOAN);
    await page.waitForText('main', /校园贷/);
    for (let i = 0; i < 100 && (await highlighted(page)).length === before; i++)
      await new Promise((done) => setTimeout(done, 100));
    const after = (await highlighted(page)).join('|');
    expect(after).toContain('校园贷');
    expect(after).toContain('注销');
    expect(await page.getSeriousAxeViolations()).toEqual([]);
    await page.close();

    await chooseLanguage('zh_CN');
    await setLargeText(false);
    const zh = await scanPage(`<main><p>${CAMPUS_LOAN}</p></main>`);
    await zh.waitFor('exposure-guard-scam-banner');
    const zhBanner = await readBanner(zh);
    expect(zhBanner).toMatchObject({ lang: 'zh-CN', large: false });
    expect(zhBanner!.text).toContain('号码卫士：本页可能有诈骗话术');
    await zh.close();
  });
});
