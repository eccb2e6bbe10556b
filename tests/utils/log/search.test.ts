import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogStore } from '@/utils/log';
import { createTestStore, deleteTestDatabases } from './helpers';

afterEach(deleteTestDatabases);

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 2, 1);

let store: LogStore;
const ids: Record<string, string> = {};

beforeEach(async () => {
  ({ store } = await createTestStore());
  const add = async (key: string, entry: Parameters<LogStore['addEntry']>[0]) => {
    ids[key] = (await store.addEntry(entry)).contact.id;
  };
  await add('loan', {
    number: '+86 138 0013 8000',
    name: '王经理',
    at: T0,
    said: '您在我们平台的借款已经逾期，今天不还就通知你的通讯录',
    scripts: ['contacts-threat'],
    risk: 'high',
    channel: 'call',
  });
  await add('bank', {
    number: '95555',
    name: 'Bank support',
    at: T0 + 5 * DAY,
    said: 'Your card is frozen, share the SMS code',
    scripts: ['fake-bank'],
    risk: 'medium',
    channel: 'sms',
    status: 'reported',
  });
  await add('hk', {
    number: '+852 9123 4567',
    name: 'Courier',
    at: T0 + 10 * DAY,
    said: '快递丢失，理赔请加微信',
    tags: ['courier'],
    channel: 'chat',
  });
  // A second event on the first contact, much later.
  await store.addEntry({ number: '13800138000', at: T0 + 20 * DAY, said: '再不还款就上门' });
});

describe('search as you type', () => {
  it.each([
    ['138 0013', 'loan'],
    ['13800138000', 'loan'],
    ['+8613800138000', 'loan'],
    ['0086 1380013', 'loan'],
    ['0013 8000', 'loan'],
    ['１３８００', 'loan'],
    ['9123-4567', 'hk'],
    ['95555', 'bank'],
  ])('finds a number in any format: %s', (query, key) => {
    expect(store.search({ text: query }).ids).toEqual([ids[key]]);
  });

  it('finds Chinese words inside what they said, without spaces', () => {
    expect(store.search({ text: '逾期' }).ids).toEqual([ids.loan]);
    expect(store.search({ text: '通讯录' }).ids).toEqual([ids.loan]);
    expect(store.search({ text: '上门' }).ids).toEqual([ids.loan]);
    expect(store.search({ text: '理赔' }).ids).toEqual([ids.hk]);
  });

  it('finds names and English words case-insensitively, all words required', () => {
    expect(store.search({ text: '王经理' }).ids).toEqual([ids.loan]);
    expect(store.search({ text: 'bank SMS' }).ids).toEqual([ids.bank]);
    expect(store.search({ text: 'FROZEN' }).ids).toEqual([ids.bank]);
    expect(store.search({ text: 'bank 快递' }).ids).toEqual([]);
    expect(store.search({ text: 'courier' }).ids).toEqual([ids.hk]);
  });

  it('narrows keystroke by keystroke with the same answers as a fresh search', () => {
    for (const typed of ['+86 138 0013 8000', 'bank sms', '逾期了']) {
      const prefixes = [...typed].map((_, i) => [...typed].slice(0, i + 1).join(''));
      const incremental = prefixes.map((prefix) => store.search({ text: prefix }).ids);
      const fresh = prefixes.map((prefix) => {
        store.search({ text: '\u0001' }); // an unrelated query first, so nothing is narrowed
        return store.search({ text: prefix }).ids;
      });
      expect(incremental).toEqual(fresh);
    }
    expect(store.search({ text: '+86 138 0013 8000' }).ids).toEqual([ids.loan]);
  });

  it('matches Traditional and Simplified Chinese either way', async () => {
    // Simplified text, Traditional query.
    expect(store.search({ text: '通訊錄' }).ids).toEqual([ids.loan]);
    expect(store.search({ text: '理賠' }).ids).toEqual([ids.hk]);
    expect(store.search({ text: '王經理' }).ids).toEqual([ids.loan]);
    // Traditional text (a Hong Kong or Taiwan message as pasted), Simplified query; names and tags too.
    const { contact } = await store.addEntry({
      number: '+886 912 345 678',
      name: '貸款專員',
      said: '您的帳戶已凍結，請先繳保證金',
      tags: ['網貸'],
    });
    expect(store.search({ text: '贷款' }).ids).toEqual([contact.id]);
    expect(store.search({ text: '账户已冻结' }).ids).toEqual([contact.id]);
    expect(store.search({ text: '网贷' }).ids).toEqual([contact.id]);
    // Mixed scripts in one query, and the other spelling of "account" (帐户 / 账户 / 帳戶).
    expect(store.search({ text: '帐户已凍结' }).ids).toEqual([contact.id]);
    expect(store.search({ text: '保證金 贷款' }).ids).toEqual([contact.id]);
    // Folding does not make unrelated words match.
    expect(store.search({ text: '貸款 逾期' }).ids).toEqual([]);
  });

  it('narrows a Traditional query keystroke by keystroke like a fresh search', () => {
    const typed = '通訊錄';
    const prefixes = [...typed].map((_, i) => typed.slice(0, i + 1));
    const incremental = prefixes.map((prefix) => store.search({ text: prefix }).ids);
    const fresh = prefixes.map((prefix) => {
      store.search({ text: '\u0001' });
      return store.search({ text: prefix }).ids;
    });
    expect(incremental).toEqual(fresh);
    expect(incremental.at(-1)).toEqual([ids.loan]);
  });

  it('ignores control characters in the query', () => {
    expect(store.search({ text: '\u0000' }).total).toBe(3);
    expect(store.search({ text: '逾期\u0000' }).ids).toEqual([ids.loan]);
  });

  it('does not narrow wrongly when a "+" becomes a number', () => {
    expect(store.search({ text: '+' }).ids).toEqual([ids.loan, ids.hk]);
    // "+9": digit 9 appears in 95555 and +852 9123 4567, not in +86 138 0013 8000.
    expect(store.search({ text: '+9' }).ids).toEqual([ids.hk, ids.bank]);
  });

  it('sees new and deleted contacts right away', async () => {
    expect(store.search({ text: '理赔' }).total).toBe(1);
    await store.deleteContacts([ids.hk!]);
    expect(store.search({ text: '理赔' }).total).toBe(0);
    await store.addEntry({ number: '13700137000', said: '理赔' });
    expect(store.search({ text: '理赔' }).total).toBe(1);
  });
});

describe('filters and sorting', () => {
  it('filters by status, risk, channel, script and tag', () => {
    expect(store.search({ filters: { statuses: ['reported'] } }).ids).toEqual([ids.bank]);
    expect(store.search({ filters: { risks: ['high', 'medium'] } }).total).toBe(2);
    expect(store.search({ filters: { channels: ['chat'] } }).ids).toEqual([ids.hk]);
    expect(store.search({ filters: { scripts: ['fake-bank'] } }).ids).toEqual([ids.bank]);
    expect(store.search({ filters: { tags: ['courier'] } }).ids).toEqual([ids.hk]);
    expect(store.search({ text: '138', filters: { statuses: ['reported'] } }).total).toBe(0);
  });

  it('filters by a date range on any event', () => {
    // Only the loan contact has an event on day 20; on day 0 too.
    expect(store.search({ filters: { from: T0 + 15 * DAY } }).ids).toEqual([ids.loan]);
    expect(store.search({ filters: { from: T0 + 4 * DAY, to: T0 + 11 * DAY } }).ids.sort()).toEqual(
      [ids.bank, ids.hk].sort(),
    );
    expect(store.search({ filters: { to: T0 - 1 } }).total).toBe(0);
  });

  it('counts the ends of a date range as inside and keeps filters current as contacts change', async () => {
    expect(store.search({ filters: { from: T0 + 20 * DAY, to: T0 + 20 * DAY } }).ids).toEqual([ids.loan]);
    expect(store.search({ filters: { statuses: ['blocked'] } }).total).toBe(0);
    await store.updateContact(ids.hk as string, { status: 'blocked', risk: 'high' });
    expect(store.search({ filters: { statuses: ['blocked'], risks: ['high'] } }).ids).toEqual([ids.hk]);
    expect(store.search({ filters: { statuses: ['blocked'], risks: ['low'] } }).total).toBe(0);
    await store.addEntry({ number: '+852 9123 4567', at: T0 + 30 * DAY, said: 'again' });
    expect(store.search({ filters: { from: T0 + 25 * DAY } }).ids).toEqual([ids.hk]);
    expect(store.search({ text: 'again', filters: { from: T0 + 9 * DAY, to: T0 + 11 * DAY } }).ids).toEqual([ids.hk]);
  });

  it('sorts by last contact, first contact, count, risk and name', () => {
    expect(store.search({ sort: 'last' }).ids).toEqual([ids.loan, ids.hk, ids.bank]);
    expect(store.search({ sort: 'first', descending: false }).ids).toEqual([ids.loan, ids.bank, ids.hk]);
    expect(store.search({ sort: 'count' }).ids[0]).toBe(ids.loan);
    expect(store.search({ sort: 'risk' }).ids).toEqual([ids.loan, ids.bank, ids.hk]);
    // Names sort by the UI language's collation (zh-CN puts Han, by pinyin, before Latin).
    const byName = [
      ['Bank support', ids.bank],
      ['Courier', ids.hk],
      ['王经理', ids.loan],
    ].sort((a, b) => new Intl.Collator('zh-CN').compare(a[0]!, b[0]!));
    expect(store.search({ sort: 'name' }).ids).toEqual(byName.map(([, id]) => id));
    expect(store.search({ sort: 'name' }).ids.slice(1)).toEqual([ids.bank, ids.hk]);
  });

  it('returns the first page only, with the total of all matches', () => {
    const page = store.search({ sort: 'last', limit: 2 });
    expect(page).toEqual({ ids: [ids.loan, ids.hk], total: 3 });
    expect(store.search({ text: '1', limit: 1 }).total).toBeGreaterThan(1);
  });

  it('lists the scripts and tags in use for the filter menus', () => {
    expect(store.getFacets()).toEqual({ scripts: ['contacts-threat', 'fake-bank'], tags: ['courier'] });
  });
});

describe('ordering few and many matches', () => {
  it('sorts a handful of matches exactly as the full ordered walk does', async () => {
    const { store: big } = await createTestStore();
    for (let i = 0; i < 40; i++) {
      await big.addEntry({
        number: `1380013${String(8000 + i)}`,
        name: `caller ${String(i % 7)}`,
        at: T0 + ((i * 7919) % 40) * DAY,
        said: i % 10 === 0 ? 'rare phrase' : 'common words',
        risk: (['low', 'medium', 'high'] as const)[i % 3],
      });
    }
    for (const sort of ['last', 'first', 'count', 'risk', 'name'] as const) {
      // "rare phrase" matches 4 of 40 (few: sorted directly); "138" matches all 40 (walks the cached order).
      const few = big.search({ text: 'rare phrase', sort }).ids;
      const all = big.search({ text: '138', sort }).ids;
      expect(few).toHaveLength(4);
      expect(few).toEqual(all.filter((id) => few.includes(id)));
    }
  });
});
