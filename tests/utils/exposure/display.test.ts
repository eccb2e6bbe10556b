import { describe, expect, it } from 'vitest';
import { formatPublishedDate, getDatasetTitle, getReportRegion } from '@/utils/exposure';

describe('getReportRegion', () => {
  it.each([
    ['CN', 'CN'],
    ['US', 'US'],
    ['HK', 'HK'],
    ['TW', 'TW'],
    ['GB', 'other'],
    [undefined, 'other'],
  ])('%s → %s', (country, region) => {
    expect(getReportRegion(country)).toBe(region);
  });
});

describe('getDatasetTitle', () => {
  const title = { en: 'Loan app', 'zh-CN': '借贷 App' };
  it('picks the UI language, then the same language, then English', () => {
    expect(getDatasetTitle(title, 'zh-CN')).toBe('借贷 App');
    expect(getDatasetTitle(title, 'zh-TW')).toBe('借贷 App');
    expect(getDatasetTitle(title, 'en-GB')).toBe('Loan app');
    expect(getDatasetTitle(title, 'fr')).toBe('Loan app');
  });
});

describe('formatPublishedDate', () => {
  it('formats the calendar date without shifting it by time zone', () => {
    expect(formatPublishedDate('2019-06-05', 'en-US')).toBe('Jun 5, 2019');
    expect(formatPublishedDate('2019-06-05', 'zh-CN')).toBe('2019年6月5日');
    expect(formatPublishedDate('soon', 'en-US')).toBe('soon');
  });
});
