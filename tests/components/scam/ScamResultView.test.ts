import { describe, expect, it } from 'vitest';
import { categoryKey, mergeMatches, pickLocalised } from '@/components/scam/ScamResultView';

describe('scam result helpers', () => {
  it('merges overlapping and touching matches from several scripts', () => {
    expect(
      mergeMatches([
        { start: 5, end: 9, script: 'a' },
        { start: 0, end: 3, script: 'a' },
        { start: 5, end: 9, script: 'b' },
        { start: 8, end: 12, script: 'c' },
        { start: 12, end: 14, script: 'c' },
      ]),
    ).toEqual([
      [0, 3],
      [5, 14],
    ]);
  });

  it('maps category ids to message keys and picks the UI language text', () => {
    expect(categoryKey('fake-debt-collection')).toBe('fakeDebtCollection');
    expect(pickLocalised({ 'zh-CN': '中', en: 'en' }, 'zh-TW')).toBe('中');
    expect(pickLocalised({ 'zh-CN': '中', en: 'en' }, 'en-US')).toBe('en');
  });
});
