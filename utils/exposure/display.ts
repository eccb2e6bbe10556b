import type { ManifestDataset } from './manifest';

/** Which reporting advice fits a number: its own country's hotlines, else generic advice. */
export type ReportRegion = 'CN' | 'US' | 'HK' | 'TW' | 'other';

export function getReportRegion(country: string | undefined): ReportRegion {
  return country === 'CN' || country === 'US' || country === 'HK' || country === 'TW' ? country : 'other';
}

/**
 * A dataset title in the UI language: the exact tag, else any title in the same language
 * (zh-TW readers get zh-CN rather than English), else English.
 */
export function getDatasetTitle(title: ManifestDataset['title'], uiLanguage: string): string {
  const titles = title as Record<string, string>;
  const exact = titles[uiLanguage];
  if (exact) return exact;
  const base = uiLanguage.split('-')[0]?.toLowerCase();
  const sameLanguage = Object.keys(titles).find((tag) => tag.split('-')[0]?.toLowerCase() === base);
  return (sameLanguage && titles[sameLanguage]) || title.en;
}

/** A YYYY-MM-DD date in the UI language, read as a calendar date (no time-zone shift). */
export function formatPublishedDate(isoDate: string, uiLanguage: string): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return isoDate;
  return new Intl.DateTimeFormat(uiLanguage, { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
}
