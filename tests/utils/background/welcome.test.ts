import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { setupWelcomePage } from '@/utils/background/welcome';

describe('setupWelcomePage', () => {
  beforeEach(() => {
    fakeBrowser.reset();
  });

  /** Tabs the extension opened (the fake browser starts with one blank tab). */
  async function getTabUrls(): Promise<string[]> {
    return (await fakeBrowser.tabs.query({})).map((tab) => tab.url ?? '').filter(Boolean);
  }

  it('opens settings on first install, where the range server is configured', async () => {
    setupWelcomePage();
    await fakeBrowser.runtime.onInstalled.trigger({ reason: 'install' });
    const urls = await getTabUrls();
    expect(urls).toHaveLength(1);
    expect(urls[0]).toMatch(/\/options\.html$/);
  });

  it('opens nothing on update or browser update', async () => {
    setupWelcomePage();
    await fakeBrowser.runtime.onInstalled.trigger({ reason: 'update', previousVersion: '0.0.9' });
    await fakeBrowser.runtime.onInstalled.trigger({ reason: 'chrome_update' });
    expect(await getTabUrls()).toEqual([]);
  });
});
