import { browser } from 'wxt/browser';

/**
 * First install opens a page where the user can act: the demo build (npm start) shows the
 * checks at once against its local server; a normal install opens settings, because the
 * exposure check needs a range server and its key before it can answer.
 */
export function setupWelcomePage(): void {
  browser.runtime.onInstalled.addListener(({ reason }) => {
    if (reason !== 'install') return;
    const path = import.meta.env.WXT_DEMO_ENDPOINT ? '/popup.html' : '/options.html';
    void browser.tabs.create({ url: browser.runtime.getURL(path as '/popup.html') });
  });
}
