import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import {
  checkPageText,
  checkScamBatch,
  getScamPageText,
  PAGE_WINDOW_CHARS,
  SCAM_MENU_ID,
  SCAM_SCAN_SCRIPT_FILE,
  SCAM_SCAN_SCRIPT_ID,
  SCAM_SCAN_STYLE_FILE,
  SCAM_SELECTION_KEY,
  setupScamFeatures,
  syncScamScanRegistration,
} from '@/utils/background/scam';
import { loadLanguage } from '@/utils/i18n';
import { saveSettings } from '@/utils/settings';
import { readMessages, useLocaleMessages } from '../../support/fake-i18n';

type Registered = { id: string; matches?: string[]; js?: string[]; css?: string[] };

function mockBrowser(granted: string[]) {
  let registered: Registered[] = [];
  const b = browser as unknown as Record<string, Record<string, unknown>>;
  b.permissions = {
    ...b.permissions,
    getAll: vi.fn(async () => ({ origins: granted, permissions: [] })),
    onAdded: { addListener: vi.fn() },
    onRemoved: { addListener: vi.fn() },
  };
  b.scripting = {
    getRegisteredContentScripts: vi.fn(async ({ ids }: { ids: string[] }) =>
      registered.filter((s) => ids.includes(s.id)),
    ),
    registerContentScripts: vi.fn(async (scripts: Registered[]) => {
      registered.push(...scripts);
    }),
    updateContentScripts: vi.fn(async (scripts: Registered[]) => {
      registered = registered.map((r) => scripts.find((s) => s.id === r.id) ?? r);
    }),
    unregisterContentScripts: vi.fn(async ({ ids }: { ids: string[] }) => {
      registered = registered.filter((s) => !ids.includes(s.id));
    }),
  };
  b.contextMenus = { create: vi.fn(), onClicked: { addListener: vi.fn() } };
  return {
    get registered() {
      return registered;
    },
    grant(origins: string[]) {
      granted.splice(0, granted.length, ...origins);
    },
  };
}

describe('page-scan registration follows the granted origins', () => {
  beforeEach(() => fakeBrowser.reset());

  it('registers for http(s) origins only, updates, then unregisters when none are left', async () => {
    const state = mockBrowser(['https://mail.example.com/*', '<all_urls>', 'chrome://favicon/*']);
    expect(await syncScamScanRegistration()).toEqual(['https://mail.example.com/*']);
    expect(state.registered).toEqual([
      expect.objectContaining({
        id: SCAM_SCAN_SCRIPT_ID,
        matches: ['https://mail.example.com/*'],
        js: [SCAM_SCAN_SCRIPT_FILE],
        // The highlight style comes with the script (injected before the page is built).
        css: [SCAM_SCAN_STYLE_FILE],
      }),
    ]);
    expect(SCAM_SCAN_STYLE_FILE).toBe('assets/scam-highlight.css');

    state.grant(['https://mail.example.com/*', 'http://sms.example.org/*']);
    await syncScamScanRegistration();
    expect(state.registered).toHaveLength(1);
    expect(state.registered[0]!.matches).toEqual(['http://sms.example.org/*', 'https://mail.example.com/*']);

    state.grant([]);
    await syncScamScanRegistration();
    expect(state.registered).toEqual([]);
  });
});

describe('context menu', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    useLocaleMessages('en');
  });

  it('creates the menu on install and opens a check window with the selection kept in session storage', async () => {
    mockBrowser([]);
    const create = vi.spyOn(browser.windows, 'create').mockResolvedValue({} as never);
    setupScamFeatures();
    await fakeBrowser.runtime.onInstalled.trigger({ reason: 'install' });
    expect(browser.contextMenus.create).toHaveBeenCalledWith(
      expect.objectContaining({ id: SCAM_MENU_ID, contexts: ['selection'], title: 'Check for scam scripts' }),
    );
    const onClicked = vi.mocked(browser.contextMenus.onClicked.addListener).mock.calls[0]![0];
    onClicked({ menuItemId: SCAM_MENU_ID, selectionText: '请把钱转到安全账户', editable: false } as never, undefined);
    await vi.waitFor(() => expect(create).toHaveBeenCalled());
    const url = new URL(create.mock.calls[0]![0]!.url as string);
    expect(url.pathname).toBe('/scam-check.html');
    const key = `${SCAM_SELECTION_KEY}${url.searchParams.get('id')}`;
    expect(await browser.storage.session.get(key)).toEqual({ [key]: '请把钱转到安全账户' });
  });
});

describe('checkScamBatch', () => {
  it('answers only the texts that are not safe, with their index and the slim result', () => {
    const answers = checkScamBatch({ text: ['明天见', '你涉嫌洗钱，请转入安全账户', '好的'].join('\u0000') });
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ index: 1, verdict: 'scam' });
    expect(Object.keys(answers[0]!).sort()).toEqual(['index', 'matches', 'score', 'scripts', 'verdict']);
    expect(checkScamBatch({ text: '明天见\u0000好的' })).toEqual([]);
  });
});

describe('checkPageText', () => {
  const filler = (n: number) => '今天天气很好，我们下午去公园散步。'.repeat(Math.ceil(n / 17)).slice(0, n);

  it('checks a long page text in windows: evidence far apart is not combined', () => {
    // Each half alone is harmless; together in one message they read as a fake-police script.
    const [first, second] = ['你涉嫌洗钱。', '请配合调查，转账到指定账户。'];
    expect([checkPageText(first).verdict, checkPageText(second).verdict]).toEqual(['safe', 'safe']);
    expect(checkPageText(first + second).verdict).not.toBe('safe');
    expect(checkPageText(`${first}${filler(PAGE_WINDOW_CHARS + 500)}${second}`).verdict).toBe('safe');
  });

  it('reports matches in a later window at their place in the whole text', () => {
    const scam = '你涉嫌洗钱，请把钱转到安全账户。';
    const text = `${filler(PAGE_WINDOW_CHARS * 2)}${scam}`;
    const result = checkPageText(text);
    expect(result.verdict).toBe('scam');
    for (const match of result.matches) {
      expect(match.start).toBeGreaterThanOrEqual(PAGE_WINDOW_CHARS * 2);
      expect(scam).toContain(text.slice(match.start, match.end));
    }
    expect(result.matches.map((m) => text.slice(m.start, m.end))).toContain('安全账户');
  });
});

describe('getScamPageText', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    useLocaleMessages('en');
  });
  afterEach(async () => {
    vi.unstubAllGlobals();
    await loadLanguage('auto');
  });

  it("follows the browser's language on 'auto'", async () => {
    const text = await getScamPageText();
    expect(text).toMatchObject({
      lang: 'en',
      largeText: false,
      title: 'Exposure Guard: possible scam script on this page',
    });
    expect(text.count).toBe('Highlighted phrases: $1.');
  });

  it('uses the language and the large-text setting chosen in Options', async () => {
    const zh = Object.fromEntries([...readMessages('zh-CN')].map(([key, message]) => [key, { message }]));
    const fetched: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      fetched.push(String(url));
      return new Response(JSON.stringify(zh));
    });
    await saveSettings({ language: 'zh_CN', largeText: true });
    const text = await getScamPageText();
    expect(fetched[0]).toMatch(/\/_locales\/zh_CN\/messages\.json$/);
    expect(text).toMatchObject({
      lang: 'zh-CN',
      largeText: true,
      title: '号码卫士：本页可能有诈骗话术',
      dismiss: '关闭',
    });
    expect(text.count.replace('$1', '3')).toBe('已高亮 3 处词句。');
  });
});
