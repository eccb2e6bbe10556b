import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { QuickAddPanel } from '@/entrypoints/popup/QuickAddPanel';
import { getDb } from '@/utils/db';
import { saveSettings } from '@/utils/settings';
import { useLocaleMessages } from '../../support/fake-i18n';

let container: HTMLElement;

beforeEach(async () => {
  fakeBrowser.reset();
  useLocaleMessages('en');
  await saveSettings({ defaultCountry: 'CN' });
  const db = getDb();
  await Promise.all([db.logContacts.clear(), db.logMeta.clear(), db.logInbox.clear()]);
  container = document.createElement('div');
  document.body.append(container);
});

afterEach(() => {
  render(null, container);
  container.remove();
});

async function settle() {
  for (let i = 0; i < 20; i++) await act(() => new Promise((resolve) => setTimeout(resolve, 5)));
}

/** Waits for an element (the first save also builds the scam matcher, which takes a moment). */
async function waitFor(selector: string): Promise<Element> {
  for (let i = 0; i < 200; i++) {
    const found = container.querySelector(selector);
    if (found) return found;
    await act(() => new Promise((resolve) => setTimeout(resolve, 25)));
  }
  throw new Error(`${selector} did not appear: ${container.textContent}`);
}

async function type(selector: string, value: string) {
  const field = container.querySelector(selector) as HTMLInputElement;
  await act(() => {
    field.value = value;
    field.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

describe('QuickAddPanel', () => {
  it('saves to the log, merging the same number in another format, with matched scam scripts', async () => {
    await act(() => render(<QuickAddPanel />, container));
    await settle();
    await type('#quick-add-number', '138-0013-8000');
    await type('#quick-add-said', '你的网贷已经逾期，不还钱就上门催收，把钱转到指定账户');
    await act(() => (container.querySelector('#quick-add-save') as HTMLButtonElement).click());
    expect((await waitFor('#quick-add-status')).textContent).toBe('Saved to the log.');

    await type('#quick-add-number', '+86 138 0013 8000');
    await act(() => (container.querySelector('#quick-add-save') as HTMLButtonElement).click());
    await settle();
    expect(container.querySelector('#quick-add-status')?.textContent).toBe("Added to this number's earlier entries.");

    const [contact] = await getDb().logContacts.toArray();
    expect(contact?.count).toBe(2);
    expect(contact?.events.map((event) => event.source)).toEqual(['quick-add', 'quick-add']);
    expect(contact?.scripts.length).toBeGreaterThan(0);
    expect(contact?.risk).not.toBe('unknown');
  });

  it('says why an empty entry cannot be saved', async () => {
    await act(() => render(<QuickAddPanel />, container));
    await settle();
    await act(() => (container.querySelector('#quick-add-save') as HTMLButtonElement).click());
    await settle();
    expect(container.querySelector('#quick-add-number-error')?.textContent).toBe(
      'Enter a number (or at least a name).',
    );
    expect(await getDb().logContacts.count()).toBe(0);
  });
});
