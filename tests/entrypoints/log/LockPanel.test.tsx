import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { LockPanel, UnlockScreen } from '@/entrypoints/log/LockPanel';
import type { LogStore } from '@/utils/log';
import { useLocaleMessages } from '../../support/fake-i18n';
import { createTestStore, deleteTestDatabases } from '../../utils/log/helpers';

const PASSPHRASE = 'a passphrase for tests';
let container: HTMLElement;
let store: LogStore;

beforeEach(async () => {
  fakeBrowser.reset();
  useLocaleMessages('en');
  ({ store } = await createTestStore());
  await store.enableLock(PASSPHRASE);
  container = document.createElement('div');
  document.body.append(container);
});

afterEach(async () => {
  render(null, container);
  container.remove();
  await deleteTestDatabases();
});

const field = (selector: string) => container.querySelector(selector) as HTMLInputElement;

async function type(selector: string, value: string) {
  await act(() => {
    field(selector).value = value;
    field(selector).dispatchEvent(new Event('input', { bubbles: true }));
  });
}

async function waitFor(selector: string): Promise<Element> {
  for (let i = 0; i < 200; i++) {
    const found = container.querySelector(selector);
    if (found) return found;
    await act(() => new Promise((resolve) => setTimeout(resolve, 10)));
  }
  throw new Error(`${selector} did not appear: ${container.textContent}`);
}

describe('LockPanel while the lock is on', () => {
  it('keeps the change and turn-off forms apart, and says plainly when the passphrase is wrong', async () => {
    await act(() => render(<LockPanel store={store} />, container));
    // One "Lock now": the page header's, not a second one here.
    expect(container.querySelector('#lock-now')).toBeNull();
    await type('#lock-old-passphrase', 'typed into the change form');
    expect(field('#lock-disable-passphrase').value).toBe('');

    await type('#lock-disable-passphrase', 'not the passphrase');
    await act(() => (container.querySelector('#lock-disable') as HTMLButtonElement).click());
    const error = await waitFor('#lock-disable-passphrase-error');
    expect(error.textContent).toBe('That passphrase is not right: nothing was changed. Try again.');
    expect(container.querySelector('#lock-old-passphrase-error')).toBeNull();
    expect(store.isLockConfigured()).toBe(true);
  });
});

describe('UnlockScreen', () => {
  it('tells a wrong passphrase apart from an altered file', async () => {
    store.lockNow();
    await act(() => render(<UnlockScreen store={store} />, container));
    await type('#unlock-passphrase', 'not the passphrase');
    await act(() => (container.querySelector('#unlock-submit') as HTMLButtonElement).click());
    const error = await waitFor('#unlock-passphrase-error');
    expect(error.textContent).toBe('That passphrase is not right: nothing was changed. Try again.');
    expect(store.getState()).toBe('locked');
  });
});
