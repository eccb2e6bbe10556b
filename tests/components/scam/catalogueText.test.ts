import * as OpenCC from 'opencc-js';
import { describe, expect, it } from 'vitest';
import { isCatalogueTextReady, loadCatalogueText, pickLocalised } from '@/components/scam/catalogueText';
import { toTaiwanTraditional } from '@/components/scam/traditional';
import { SCAM_CATALOGUE } from '@/utils/scam';

const campusLoan = SCAM_CATALOGUE.scripts.find((script) => script.id === 'zh-campus-loan-cancellation')!;

describe('catalogue texts in the UI language', () => {
  it('shows Traditional Chinese for zh-TW once the converter is loaded, zh-CN and en as written', async () => {
    expect(pickLocalised(campusLoan.explanation, 'zh-CN')).toBe(campusLoan.explanation['zh-CN']);
    expect(pickLocalised(campusLoan.explanation, 'en-US')).toBe(campusLoan.explanation.en);
    expect(isCatalogueTextReady('zh-CN')).toBe(true);
    expect(isCatalogueTextReady('zh-TW')).toBe(false);
    await loadCatalogueText('zh-TW');
    expect(isCatalogueTextReady('zh-TW')).toBe(true);
    const traditional = pickLocalised(campusLoan.explanation, 'zh-TW');
    expect(traditional).toContain('校園貸帳戶');
    expect(traditional).toContain('註銷');
    expect(traditional).toContain('徵信');
    expect(traditional).not.toContain('注销');
    expect(pickLocalised(campusLoan.advice, 'zh-Hant-HK')).toBe(toTaiwanTraditional(campusLoan.advice['zh-CN']));
    // Simplified and English UIs are untouched by the converter.
    expect(pickLocalised(campusLoan.explanation, 'zh-CN')).toBe(campusLoan.explanation['zh-CN']);
  });

  it('leaves no Simplified character in any catalogue text', () => {
    for (const script of SCAM_CATALOGUE.scripts) {
      for (const text of [script.explanation['zh-CN'], script.advice['zh-CN']]) {
        const traditional = toTaiwanTraditional(text);
        expect(traditional.length, script.id).toBe(text.length);
        // Converting again changes nothing: every convertible character was converted.
        expect(toTaiwanTraditional(traditional), script.id).toBe(traditional);
      }
    }
  });

  it("writes this domain's words as Taiwan does, where one Simplified character has several Traditional ones", () => {
    const samples = [
      '请联系银行官方客服，不要转账到安全账户。',
      '你在大学期间开通过校园贷账户，不注销会影响个人征信。',
      '老板让我先把钱转给他，回复验证码就能批准贷款。',
      '到银行柜台查询余额，平台卷款跑路了。',
    ];
    const opencc = OpenCC.Converter({ from: 'cn', to: 'tw' });
    expect(samples.map(toTaiwanTraditional)).toEqual([
      '請聯繫銀行官方客服，不要轉帳到安全帳戶。',
      '你在大學期間開通過校園貸帳戶，不註銷會影響個人徵信。',
      '老闆讓我先把錢轉給他，回覆驗證碼就能批准貸款。',
      '到銀行櫃檯查詢餘額，平臺捲款跑路了。',
    ]);
    // Where OpenCC's full phrase table (1 MB, not shipped) agrees, so does the small converter;
    // it differs only in writing 帳 for accounts (OpenCC keeps 賬) and 回覆 for "reply".
    for (const sample of samples) {
      expect(toTaiwanTraditional(sample)).toBe(opencc(sample).replaceAll('賬', '帳').replace('回復', '回覆'));
    }
  });
});
