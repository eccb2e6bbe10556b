import { describe, expect, it } from 'vitest';
import { categoryKey, mergeMatches, pickLocalised, withoutLead } from '@/components/scam/ScamResultView';

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
    expect(pickLocalised({ 'zh-CN': '中', en: 'en' }, 'zh-CN')).toBe('中');
    expect(pickLocalised({ 'zh-CN': '中', en: 'en' }, 'en-US')).toBe('en');
  });

  it('drops the lead an explanation starts with (the heading above it says it)', () => {
    expect(withoutLead('Phantom debt collector: a debt you may not owe.')).toBe('A debt you may not owe.');
    expect(withoutLead('冒充催收：以"逾期"为由威胁。')).toBe('以"逾期"为由威胁。');
    expect(withoutLead('No lead here, just text.')).toBe('No lead here, just text.');
    expect(withoutLead('Lead only:')).toBe('Lead only:');
  });
});
