import { describe, expect, it } from 'vitest';
import { getSimplifiedCode, toSimplified } from '@/utils/chinese';
import { normalisedString, normaliseText } from '@/utils/scam';

describe('Traditional to Simplified folding', () => {
  it('folds Traditional characters and keeps everything else', () => {
    expect(toSimplified('貸款逾期，請聯繫客服')).toBe('贷款逾期，请联系客服');
    expect(toSimplified('Loan 138-0013-8000 ok')).toBe('Loan 138-0013-8000 ok');
    expect(toSimplified('账户')).toBe('账户');
  });

  it('returns text with nothing to fold unchanged, and keeps the length of text it folds', () => {
    const simplified = '您在我们平台的借款已经逾期';
    expect(toSimplified(simplified)).toBe(simplified);
    for (const text of ['帳戶凍結', '網貸𠀀催收', 'a貸b']) expect(toSimplified(text)).toHaveLength(text.length);
    // Astral characters (surrogate pairs) pass through.
    expect(toSimplified('網貸𠀀')).toBe('网贷𠀀');
  });

  it('folds both spellings of "account" to 账', () => {
    expect(toSimplified('帐户 帳戶 賬戶')).toBe('账户 账户 账户');
    expect(getSimplifiedCode('帐'.charCodeAt(0))).toBe('账'.charCodeAt(0));
  });

  it('folds text longer than one conversion chunk', () => {
    const text = `${'貸'.repeat(20_000)}x`;
    const folded = toSimplified(text);
    expect(folded).toHaveLength(text.length);
    expect(folded).toBe(`${'贷'.repeat(20_000)}x`);
  });

  it('is the folding the scam matcher uses', () => {
    for (const phrase of ['貸款', '帳戶凍結', '保證金']) {
      expect(normalisedString(normaliseText(phrase))).toBe(toSimplified(phrase));
    }
  });
});
