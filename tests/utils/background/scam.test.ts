import { beforeEach, describe, expect, it, vi } from 'vitest';
import { browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import {
  checkScamBatch,
  SCAM_MENU_ID,
  SCAM_SCAN_SCRIPT_ID,
  SCAM_SELECTION_KEY,
  setupScamFeatures,
  syncScamScanRegistration,
} from '@/utils/background/scam';
import { useLocaleMessages } from '../../support/fake-i18n';

type Registered = { id: string; matches?: string[] };

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
      expect.objectContaining({ id: SCAM_SCAN_SCRIPT_ID, matches: ['https://mail.example.com/*'] }),
    ]);

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
  it('answers each text in order with the slim result', () => {
    const [scam, safe] = checkScamBatch({ texts: ['你涉嫌洗钱，请转入安全账户', '明天见'] });
    expect(scam).toMatchObject({ verdict: 'scam' });
    expect(Object.keys(scam!).sort()).toEqual(['matches', 'score', 'scripts', 'verdict']);
    expect(safe).toEqual({ verdict: 'safe', score: 0, scripts: [], matches: [] });
  });
});
