import { afterEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import {
  formatContactNumber,
  formatList,
  getEventCountLabel,
  getListParts,
  getRiskBadgeLabel,
} from '@/components/log/messages';
import { useLocaleMessages } from '../../support/fake-i18n';

function useLanguage(locale: 'en' | 'zh-CN') {
  fakeBrowser.reset();
  useLocaleMessages(locale);
  document.documentElement.lang = locale;
}

afterEach(() => {
  document.documentElement.lang = '';
});

describe('log wording helpers', () => {
  it('shows a number grouped as people read it, and anything else as entered', () => {
    expect(formatContactNumber({ input: '138-0013-8000', e164: '+8613800138000', national: '138 0013 8000' })).toBe(
      '+86 138 0013 8000',
    );
    expect(formatContactNumber({ input: '+852 9123 4567', e164: '+85291234567', national: '9123 4567' })).toBe(
      '+852 9123 4567',
    );
    expect(formatContactNumber({ input: '95555', e164: null, national: null })).toBe('95555');
    expect(formatContactNumber({ input: '', e164: null, national: null })).toBe('');
  });

  it('says "once" rather than "1 times"', () => {
    useLanguage('en');
    expect([1, 2, 3].map(getEventCountLabel)).toEqual(['once', '2 times', '3 times']);
    useLanguage('zh-CN');
    expect([1, 3].map(getEventCountLabel)).toEqual(['1 次', '3 次']);
  });

  it('names the risk in a list badge and leaves an unrated contact without one', () => {
    useLanguage('zh-CN');
    expect(getRiskBadgeLabel('high')).toBe('高风险');
    expect(getRiskBadgeLabel('unknown')).toBeNull();
    useLanguage('en');
    expect(getRiskBadgeLabel('medium')).toBe('Medium risk');
  });

  it('joins lists the way the page language does', () => {
    useLanguage('en');
    expect(formatList(['Exposure threat', 'Fake debt collection'])).toBe('Exposure threat and Fake debt collection');
    useLanguage('zh-CN');
    expect(formatList(['曝光威胁', '冒充催收', '征信修复'])).toBe('曝光威胁、冒充催收和征信修复');
    // Every item keeps its index, so a UI can mark each one.
    const parts = getListParts(['a', 'b', 'c']);
    expect(parts.filter((part) => part.index !== null).map((part) => part.index)).toEqual([0, 1, 2]);
    expect(parts.map((part) => part.value).join('')).toBe(formatList(['a', 'b', 'c']));
  });
});
