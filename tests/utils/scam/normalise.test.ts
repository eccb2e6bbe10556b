import { describe, expect, it } from 'vitest';
import { normalisedString, normaliseText, toOriginalSpan } from '@/utils/scam';

const fold = (text: string) => normalisedString(normaliseText(text));

/** Original substring behind the normalised occurrence of `needle`. */
function originalOf(text: string, needle: string): string {
  const norm = normaliseText(text);
  const at = normalisedString(norm).indexOf(needle);
  expect(at, `"${needle}" in "${normalisedString(norm)}"`).toBeGreaterThanOrEqual(0);
  const { start, end } = toOriginalSpan(norm, at, at + needle.length);
  return text.slice(start, end);
}

describe('normaliseText', () => {
  it('folds full-width letters and digits to half-width lower case', () => {
    expect(fold('ＧＩＦＴ　ＣＡＲＤ １２３')).toBe('gift card 123');
    expect(originalOf('请买ＧＩＦＴ ＣＡＲＤ', 'gift card')).toBe('ＧＩＦＴ ＣＡＲＤ');
  });

  it('folds Traditional Chinese to Simplified, and 帐 to 账', () => {
    expect(fold('安全帳戶')).toBe('安全账户');
    expect(fold('註銷校園貸')).toBe('注销校园贷');
    expect(originalOf('請轉入安全帳戶。', '安全账户')).toBe('安全帳戶');
  });

  it('drops zero-width and format characters but keeps their text in the span', () => {
    expect(fold('安\u200b全\u200d账\ufeff户')).toBe('安全账户');
    expect(originalOf('转到安\u200b全\u200c账户里', '安全账户')).toBe('安\u200b全\u200c账户');
  });

  it('removes short runs of spaces or punctuation between Chinese characters', () => {
    expect(fold('安 全 账 户')).toBe('安全账户');
    expect(fold('安.全*账-户')).toBe('安全账户');
    expect(fold('验证码 123456')).toBe('验证码 123456');
    expect(originalOf('请转到 安 . 全 账 户', '安全账户')).toBe('安 . 全 账 户');
  });

  it('keeps a real break between Chinese words separated by a long gap', () => {
    expect(fold('安全     账户')).toBe('安全 账户');
  });

  it('reads digits and $/@ as letters only when they touch letters', () => {
    expect(fold('l0an')).toBe(fold('loan'));
    expect(fold('acc0unt')).toBe(fold('account'));
    expect(fold('ca$h')).toBe(fold('cash'));
    expect(fold('ver1fy')).toBe(fold('verify'));
    expect(fold('$500 and 714')).toBe('500 and 714');
    expect(originalOf('Your l0an is due', fold('loan'))).toBe('l0an');
  });

  it('folds look-alike Cyrillic letters, accents and styled letters', () => {
    expect(fold('lоаn')).toBe(fold('loan')); // Cyrillic о and а
    expect(fold('lóan')).toBe(fold('loan'));
    expect(fold('𝐥𝐨𝐚𝐧')).toBe(fold('loan'));
    expect(originalOf('a 𝐥𝐨𝐚𝐧 now', fold('loan'))).toBe('𝐥𝐨𝐚𝐧');
  });

  it('collapses English punctuation and spacing to one space', () => {
    expect(fold('gift-card,  now!!')).toBe('gift card now');
  });

  it('marks clause breaks where sentence punctuation was removed', () => {
    const norm = normaliseText('不要转账。安全账户');
    const text = normalisedString(norm);
    const at = text.indexOf('安');
    expect(norm.clauseBreak[at]).toBe(1);
    expect(norm.clauseBreak[text.indexOf('转')]).toBe(0);
  });

  it('maps every normalised unit inside the original text', () => {
    const text = 'Ｌ０ＡＮ 帳戶\u200b 安 全 ✅ 𝐜𝐨𝐝𝐞 ①';
    const norm = normaliseText(text);
    for (let i = 0; i < norm.length; i++) {
      expect(norm.start[i]).toBeGreaterThanOrEqual(0);
      expect(norm.end[i]).toBeLessThanOrEqual(text.length);
      expect(norm.start[i]!).toBeLessThan(norm.end[i]!);
    }
  });
});
