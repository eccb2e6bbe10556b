import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExtensionSession, launchExtension } from './harness';

describe('foundation', () => {
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
    // The page re-renders in the chosen language; <html lang> says when it has.
    await options.waitForAttribute('html', 'lang', language.replace('_', '-'));
    await options.close();
  }

  it('renders the popup in zh-CN and in en, switched from options', async () => {
    await chooseLanguage('zh_CN');
    const zh = await session.openPage('popup.html', '[role="tab"]');
    expect(await zh.text('h1')).toBe('号码卫士');
    expect(await zh.text('#tab-exposure')).toBe('我的号码泄露了吗？');
    expect(await zh.attribute('html', 'lang')).toBe('zh-CN');
    await zh.close();

    await chooseLanguage('en');
    const en = await session.openPage('popup.html', '[role="tab"]');
    expect(await en.text('h1')).toBe('Exposure Guard');
    expect(await en.text('#tab-scam')).toBe('Is this message a scam?');
    expect(await en.attribute('html', 'lang')).toBe('en');
    await en.close();
  });

  it('offers Traditional Chinese, and "auto" follows the browser language', async () => {
    await chooseLanguage('zh_TW');
    const tw = await session.openPage('popup.html', '[role="tab"]');
    expect(await tw.text('h1')).toBe('號碼衛士');
    await tw.close();

    const options = await session.openPage('options.html', '#language');
    await options.select('#language', 'auto');
    await options.waitForAttribute('#language', 'data-value', 'auto');
    // What the browser itself picks from _locales (Debian's browsers ship only their en-US UI,
    // whatever --lang says), which "auto" must follow, <html lang> included.
    const browserChoice = await options.evaluate(() =>
      (globalThis as unknown as { chrome: { i18n: { getMessage(key: string): string } } }).chrome.i18n.getMessage(
        'extName',
      ),
    );
    await options.close();
    const popup = await session.openPage('popup.html', '[role="tab"]');
    expect(await popup.text('h1')).toBe(browserChoice);
    expect(await popup.attribute('html', 'lang')).toBe(browserChoice === '号码卫士' ? 'zh-CN' : 'en');
    await popup.close();
  });

  it('switches popup sections with the keyboard', async () => {
    const popup = await session.openPage('popup.html', '[role="tab"]');
    await popup.evaluate(() => (document.querySelector('[role="tab"][aria-selected="true"]') as HTMLElement).focus());
    await popup.press('ArrowRight');
    expect(await popup.attribute('#tab-scam', 'aria-selected')).toBe('true');
    expect(await popup.evaluate(() => document.activeElement?.id)).toBe('tab-scam');
    await popup.press('End');
    expect(await popup.attribute('#tab-log', 'aria-selected')).toBe('true');
    await popup.close();
  });

  it('keeps options across a reload and applies large text', async () => {
    const options = await session.openPage('options.html', '#language');
    await options.select('#country', 'HK');
    await options.click('#large-text');
    await options.fill('#endpoint', 'http://127.0.0.1:9/');
    await options.fill('#pinned-key', 'not a key');
    await options.click('#save-server');
    await options.waitFor('#pinned-key-error');
    expect(await options.attribute('#pinned-key', 'aria-invalid')).toBe('true');
    await options.fill('#pinned-key', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    await options.click('#save-server');
    await options.waitForText('#options-status', /\S/);

    await options.reload('#language');
    expect(await options.evaluate(() => (document.querySelector('#country') as HTMLSelectElement).value)).toBe('HK');
    expect(await options.evaluate(() => (document.querySelector('#large-text') as HTMLInputElement).checked)).toBe(
      true,
    );
    expect(await options.evaluate(() => (document.querySelector('#endpoint') as HTMLInputElement).value)).toBe(
      'http://127.0.0.1:9',
    );
    expect(await options.evaluate(() => document.documentElement.classList.contains('large-text'))).toBe(true);
    const rootSize = await options.evaluate(() => getComputedStyle(document.documentElement).fontSize);
    expect(Number.parseFloat(rootSize)).toBeGreaterThan(16);
    await options.click('#large-text');
    // Saved once the page applied it; closing earlier could drop the write.
    await options.evaluate(
      () =>
        new Promise<void>((done) => {
          const check = () =>
            document.documentElement.classList.contains('large-text') ? setTimeout(check, 50) : done();
          check();
        }),
    );
    await options.close();
  });

  it('toggles large text from the popup, for older users, and remembers it', async () => {
    const popup = await session.openPage('popup.html', '#large-text-toggle');
    expect(await popup.attribute('#large-text-toggle', 'aria-pressed')).toBe('false');
    await popup.click('#large-text-toggle');
    await popup.waitForAttribute('#large-text-toggle', 'aria-pressed', 'true');
    expect(await popup.evaluate(() => document.documentElement.classList.contains('large-text'))).toBe(true);
    const options = await session.openPage('options.html', '#large-text');
    expect(await options.evaluate(() => (document.querySelector('#large-text') as HTMLInputElement).checked)).toBe(
      true,
    );
    await options.close();
    await popup.click('#large-text-toggle');
    await popup.waitForAttribute('#large-text-toggle', 'aria-pressed', 'false');
    await popup.close();
  });

  it('round-trips a message to the background', async () => {
    const popup = await session.openPage('popup.html', '[role="tab"]');
    const status = await popup.waitForText('#background-status', /\d+\.\d+\.\d+/);
    expect(status).toMatch(/0\.1\.0/);
    await popup.close();
  });

  it.each(['popup.html', 'options.html', 'log.html'])('%s has no serious axe violations', async (path) => {
    for (const language of ['zh_CN', 'en']) {
      await chooseLanguage(language);
      const page = await session.openPage(path);
      const violations = await page.getSeriousAxeViolations();
      expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
      await page.close();
    }
  });

  it('the axe check does catch a serious violation (so a pass means something)', async () => {
    const popup = await session.openPage('popup.html', '[role="tab"]');
    await popup.evaluate(() => {
      const input = document.createElement('input');
      input.type = 'text';
      document.querySelector('main')?.append(input);
    });
    const violations = await popup.getSeriousAxeViolations();
    expect(violations.map((violation) => violation.id)).toContain('label');
    await popup.close();
  });
});
