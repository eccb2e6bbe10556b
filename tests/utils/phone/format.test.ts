import { describe, expect, it } from 'vitest';
import { formatPhoneAsYouType, getCaretAfterFormat } from '@/utils/phone';

describe('formatPhoneAsYouType', () => {
  it.each([
    ['138', 'CN', '138'],
    ['1380013', 'CN', '138 0013'],
    ['13800138000', 'CN', '138 0013 8000'],
    ['１３８００１３', 'CN', '138 0013'],
    ['+8613800138000', 'US', '+86 138 0013 8000'],
    ['4155552671', 'US', '(415) 555-2671'],
    ['+852912345', 'CN', '+852 9123 45'],
    ['0912345678', 'TW', '0912 345 678'],
    ['07400123456', 'GB', '07400 123456'],
  ] as const)('%j in %s → %j', (input, country, expected) => {
    expect(formatPhoneAsYouType(input, country)).toBe(expected);
  });

  it('returns text without digits unchanged so typing is never swallowed', () => {
    expect(formatPhoneAsYouType('+', 'CN')).toBe('+');
    expect(formatPhoneAsYouType('abc', 'CN')).toBe('abc');
  });
});

describe('getCaretAfterFormat', () => {
  it('keeps the caret after the same digits', () => {
    // Typed "1380" with the caret at the end → "138 0": caret after the 0.
    expect(getCaretAfterFormat('138 0', '1380')).toBe(5);
    // Caret after "13800" in "1380013800" → in "138 0013 800" that is after "138 00".
    expect(getCaretAfterFormat('138 0013 800', '13800')).toBe(6);
    expect(getCaretAfterFormat('+86 138', '+8')).toBe(2);
    expect(getCaretAfterFormat('138 0013', '')).toBe(0);
  });
});
