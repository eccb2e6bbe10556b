import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { ExposurePanel } from '@/entrypoints/popup/ExposurePanel';
import { createTestRangeService, type TestRangeService } from '@/server/testing';
import { getDb } from '@/utils/db';
import { saveSettings } from '@/utils/settings';
import { useLocaleMessages } from '../../support/fake-i18n';

const ENDPOINT = 'http://range.test';
let service: TestRangeService;
let container: HTMLElement;
let requests: string[];

beforeAll(() => {
  service = createTestRangeService({
    prefixBits: 8,
    datasets: [
      {
        id: 'loan-2019',
        title: { en: 'Loan app 2019', 'zh-CN': '借贷 App 2019' },
        published: '2019-06-05',
        fields: ['name', 'id_number', 'loan_amount', 'contacts'],
        numbers: ['+8613800138000', '+14155552671'],
      },
    ],
  });
});

beforeEach(async () => {
  fakeBrowser.reset();
  useLocaleMessages('en');
  requests = [];
  vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
    requests.push(url);
    return service.app.request(url, init);
  });
  await getDb().watches.clear();
  await saveSettings({ endpoint: ENDPOINT, pinnedKey: service.publicKey, defaultCountry: 'CN', keyLabel: '' });
  container = document.createElement('div');
  document.body.append(container);
});

afterEach(() => {
  render(null, container);
  container.remove();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const $ = <T extends Element = HTMLElement>(selector: string) => container.querySelector<T>(selector);

async function mount() {
  await act(async () => {
    render(<ExposurePanel />, container);
  });
  await vi.waitFor(() => expect($('#phone-input')).not.toBeNull());
}

async function type(selector: string, value: string) {
  const input = $<HTMLInputElement>(selector) as HTMLInputElement;
  await act(async () => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

async function checkNumber(value: string) {
  await type('#phone-input', value);
  await act(async () => {
    ($('#check-exposure') as HTMLButtonElement).click();
  });
  await vi.waitFor(() =>
    expect($('#exposure-result')?.getAttribute('data-status')).toMatch(/^(found|not-found|error|invalid)$/),
  );
  return $('#exposure-result') as HTMLElement;
}

describe('ExposurePanel', () => {
  it('labels the phone input and the country picker, defaulting to the chosen country', async () => {
    await mount();
    const input = $<HTMLInputElement>('#phone-input') as HTMLInputElement;
    expect(input.type).toBe('tel');
    expect($('label[for="phone-input"]')?.textContent).toBe('Phone number');
    expect($('label[for="phone-country"]')?.textContent).toBe('Country or region of the number');
    expect($<HTMLSelectElement>('#phone-country')?.value).toBe('CN');
  });

  it('formats as you type', async () => {
    await mount();
    await type('#phone-input', '13800138000');
    expect($<HTMLInputElement>('#phone-input')?.value).toBe('138 0013 8000');
  });

  it('explains invalid input inline and sends nothing', async () => {
    await mount();
    const result = await checkNumber('12345');
    expect(result.dataset.status).toBe('invalid');
    expect(result.dataset.code).toBe('too-short');
    expect($('#phone-input-error')?.textContent).toBe('Too few digits for a phone number.');
    expect($('#phone-input')?.getAttribute('aria-invalid')).toBe('true');
    expect(result.textContent).toContain('Nothing was sent');
    expect(requests).toEqual([]);
  });

  it('shows where a found number leaked, what leaked, and Chinese reporting advice', async () => {
    await mount();
    const result = await checkNumber('138 0013 8000');
    expect(result.dataset.status).toBe('found');
    expect(result.querySelector('[data-dataset="loan-2019"]')?.textContent).toBe(
      'Loan app 2019 — made public Jun 5, 2019, 2 records',
    );
    const fields = [...result.querySelectorAll('.exposure-fields li')].map((li) => li.textContent);
    expect(fields).toEqual(
      expect.arrayContaining(['Name', 'ID card number', 'Loan amount', 'Your contacts (address book)']),
    );
    expect(result.textContent).toContain('Never pay a "collector" outside your lender');
    expect(result.textContent).toContain('Never read out verification codes');
    expect(result.textContent).toContain('Warn your family');
    expect(result.querySelector('.exposure-report')?.getAttribute('data-region')).toBe('CN');
    expect(result.querySelector('.exposure-report')?.textContent).toContain('96110');
    expect(result.querySelector('.exposure-checked')?.textContent).toBe('Checked number: +86 138 0013 8000');
    // Nothing is stored unless the user asks.
    expect(await getDb().watches.count()).toBe(0);
  });

  it('points a US number to the FTC', async () => {
    await mount();
    await act(async () => {
      const select = $<HTMLSelectElement>('#phone-country') as HTMLSelectElement;
      select.value = 'US';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    const result = await checkNumber('(415) 555-2671');
    expect(result.dataset.status).toBe('found');
    expect(result.querySelector('.exposure-report')?.getAttribute('data-region')).toBe('US');
    expect(result.querySelector<HTMLAnchorElement>('.exposure-report a')?.href).toBe('https://reportfraud.ftc.gov/');
  });

  it('says what "not found" does and does not mean, listing the datasets held', async () => {
    await mount();
    const result = await checkNumber('13700001111');
    expect(result.dataset.status).toBe('not-found');
    expect(result.textContent).toContain('does not prove your number never leaked');
    expect(result.querySelector('[data-dataset="loan-2019"]')?.textContent).toContain('Jun 5, 2019');
  });

  it('keeps a changed key visibly distinct from "not found", with a way to settings', async () => {
    await saveSettings({ pinnedKey: createTestRangeService({ datasets: [] }).publicKey });
    await mount();
    const result = await checkNumber('13700001111');
    expect(result.dataset.status).toBe('error');
    expect(result.dataset.code).toBe('key-changed');
    expect(result.textContent).toContain('never replaced silently');
    expect(result.textContent).toContain('This is not a "not found"');
    expect(result.querySelector('.exposure-settings-link')?.textContent).toBe('Open settings');
  });

  it('says when no server is configured', async () => {
    await saveSettings({ endpoint: '', pinnedKey: '' });
    await mount();
    const result = await checkNumber('13700001111');
    expect(result.dataset.code).toBe('not-configured');
    expect(result.querySelector('.exposure-settings-link')).not.toBeNull();
    expect(requests).toEqual([]);
  });

  it('shows the demo badge only for the demo key', async () => {
    await mount();
    expect($('#exposure-demo-badge')).toBeNull();
    render(null, container);
    await saveSettings({ keyLabel: 'demo' });
    await mount();
    expect($('#exposure-demo-badge')?.textContent).toBe('demo');
  });

  it('fetches the manifest once a valid number is typed, once for several checks, and blinds ahead', async () => {
    await mount();
    await type('#phone-input', '1380013');
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(requests).toEqual([]); // not a number yet: nothing at all
    const sent: string[] = [];
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      requests.push(url);
      if (typeof init?.body === 'string') sent.push(init.body);
      return service.app.request(url, init);
    });
    // Typed, then a pause before the click: the manifest arrives and the number is blinded locally.
    await type('#phone-input', '13800138000');
    await vi.waitFor(() => expect(requests).toEqual([`${ENDPOINT}/v1/manifest`]));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(requests).toHaveLength(1); // blinding ahead sends nothing
    await act(async () => {
      ($('#check-exposure') as HTMLButtonElement).click();
    });
    await vi.waitFor(() => expect($('#exposure-result')?.getAttribute('data-status')).toBe('found'));
    expect((await checkNumber('13700001111')).dataset.status).toBe('not-found');
    const paths = requests.map((url) => new URL(url).pathname.replace(/\/v1\/range\/.*/, '/v1/range'));
    expect(paths.filter((path) => path === '/v1/manifest')).toHaveLength(1);
    expect(paths.filter((path) => path === '/v1/range')).toHaveLength(2);
    expect(paths.filter((path) => path === '/v1/evaluate')).toHaveLength(2);
    // Each check sent its own blinded element.
    expect(new Set(sent).size).toBe(2);
  });

  it('watches a number on request, lists it and removes it', async () => {
    await mount();
    await checkNumber('13800138000');
    await type('#watch-label', 'Mum');
    await act(async () => {
      ($('#watch-number') as HTMLButtonElement).click();
    });
    await vi.waitFor(() => expect($('#watch-status')?.textContent).toBe('Now watching "Mum".'));
    expect(await getDb().watches.toArray()).toMatchObject([
      { e164: '+8613800138000', label: 'Mum', lastStatus: 'found', lastDatasetBits: 1 },
    ]);
    await vi.waitFor(() => expect($('#watch-list .watch-label')?.textContent).toBe('Mum'));
    expect($('#watch-list .watch-number')?.textContent).toBe('+86 138 0013 8000');
    expect($('#watch-list .watch-remove')?.getAttribute('aria-label')).toBe('Stop watching Mum');

    await act(async () => {
      ($('#watch-list .watch-remove') as HTMLButtonElement).click();
    });
    await vi.waitFor(() => expect($('#watch-list')).toBeNull());
    expect(await getDb().watches.count()).toBe(0);
  });
});
