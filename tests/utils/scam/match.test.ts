import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkText, createScamMatcher, SCAM_CATALOGUE, type ScamCatalogue } from '@/utils/scam';

interface Fixture {
  text: string;
  lang: 'zh' | 'en';
  label: 'scam' | 'benign';
  script?: string;
  kind?: string;
}

const fixtures = readFileSync(resolve(__dirname, '../../fixtures/scam/messages.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as Fixture);

/** Original-text substrings that triggered `script`. */
function triggers(text: string, script?: string): string[] {
  return checkText(text)
    .matches.filter((m) => !script || m.script === script)
    .map((m) => text.slice(m.start, m.end));
}

describe('catalogue', () => {
  it('has unique ids, both languages, advice and a source for every script', () => {
    const ids = SCAM_CATALOGUE.scripts.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const script of SCAM_CATALOGUE.scripts) {
      expect(script.explanation['zh-CN'].length, script.id).toBeGreaterThan(10);
      expect(script.explanation.en.length, script.id).toBeGreaterThan(10);
      expect(script.advice['zh-CN'].length, script.id).toBeGreaterThan(4);
      expect(script.advice.en.length, script.id).toBeGreaterThan(4);
      expect(script.source.length, script.id).toBeGreaterThan(10);
      for (const rule of script.rules) expect(rule.weight).toBeGreaterThan(0);
    }
  });

  it('covers the required categories in both languages', () => {
    const zh = new Set(SCAM_CATALOGUE.scripts.filter((s) => s.languages.includes('zh')).map((s) => s.category));
    const en = new Set(SCAM_CATALOGUE.scripts.filter((s) => s.languages.includes('en')).map((s) => s.category));
    for (const category of [
      'fake-debt-collection',
      'exposure-threat',
      'campus-loan-cancellation',
      'credit-record',
      'impersonated-authority',
      'upfront-fee-loan',
      'predatory-loan',
      'fake-customer-service',
      'account-takeover',
      'debt-relief-agent',
      'impersonated-contact',
    ] as const)
      expect(zh.has(category), category).toBe(true);
    for (const category of [
      'fake-debt-collection',
      'unusual-payment',
      'impersonated-authority',
      'upfront-fee-loan',
      'debt-relief-agent',
      'sextortion',
    ] as const)
      expect(en.has(category), category).toBe(true);
  });

  it('fails loudly on a rule that names an unknown group', () => {
    const broken: ScamCatalogue = {
      ...SCAM_CATALOGUE,
      scripts: [{ ...SCAM_CATALOGUE.scripts[0]!, rules: [{ all: ['nope'], weight: 0.5 }] }],
    };
    expect(() => createScamMatcher(broken)).toThrow(/unknown or empty group/);
  });

  it('accepts a custom catalogue', () => {
    const tiny: ScamCatalogue = {
      version: 'test',
      shared: {},
      advisory: { negators: ['never'], cues: [], strongCues: [], vetoes: [], requests: [] },
      scripts: [
        {
          ...SCAM_CATALOGUE.scripts[0]!,
          id: 'tiny',
          groups: { a: ['magic beans'], b: ['pay'] },
          rules: [{ all: ['a', 'b'], weight: 0.9 }],
        },
      ],
    };
    const matcher = createScamMatcher(tiny);
    expect(matcher.checkText('Pay for the MAGIC BEANS').scripts).toEqual(['tiny']);
    expect(matcher.checkText('we never sell magic beans, never pay').verdict).toBe('safe');
  });
});

describe('checkText: every script detects its own labelled examples', () => {
  for (const script of SCAM_CATALOGUE.scripts) {
    it(script.id, () => {
      const examples = fixtures.filter((f) => f.label === 'scam' && f.script === script.id);
      expect(examples.length, `fixtures for ${script.id}`).toBeGreaterThanOrEqual(3);
      const found = examples.filter((f) => checkText(f.text).scripts.includes(script.id));
      expect(found.length / examples.length).toBeGreaterThanOrEqual(0.9);
    });
  }
});

describe('checkText: the issue’s two "done when" messages', () => {
  it('warns on a zh-CN "cancel your campus loan" message and explains why', () => {
    const text =
      '您好，我是某金融平台客服，您在大学期间开通过校园贷账户，现在需要注销，否则会影响征信，请按我的指导把额度借出来转到指定账户清零。';
    const result = checkText(text);
    expect(result.verdict).toBe('scam');
    expect(result.scripts[0]).toBe('zh-campus-loan-cancellation');
    expect(triggers(text, 'zh-campus-loan-cancellation')).toEqual(expect.arrayContaining(['校园贷', '注销']));
    expect(result.explanations[0]!.explanation['zh-CN']).toContain('注销');
  });

  it('warns on an English gift-card debt collector', () => {
    const text =
      'This is the collections department. You owe $640 on a past due loan. Pay today with Google Play gift cards or a warrant will be issued for your arrest.';
    const result = checkText(text);
    expect(result.verdict).toBe('scam');
    expect(result.scripts).toContain('en-phantom-debt-collector');
    expect(triggers(text)).toEqual(expect.arrayContaining(['gift cards', 'arrest', 'past due']));
  });

  it('stays quiet on a real lender’s repayment reminder', () => {
    const result = checkText(
      '【招商银行】您尾号1234的信用卡本期账单已出，应还金额1,234.00元，最后还款日11月20日，请按时还款，以免影响个人征信。',
    );
    expect(result).toMatchObject({ verdict: 'safe', scripts: [], matches: [] });
  });
});

describe('checkText: disguised wording is still caught and highlighted in the original', () => {
  it('Traditional, spaced and zero-width "safe account"', () => {
    const text = '我是公安局民警，你涉嫌洗錢，請把資金轉入安 全\u200b帳 戶配合調查。';
    const result = checkText(text);
    expect(result.verdict).toBe('scam');
    expect(triggers(text)).toContain('安 全\u200b帳 戶');
  });

  it('full-width and leetspeak English', () => {
    const text = 'Your ｌ0an is approved. Pay the pr0cessing fee by g1ft card to release the funds.';
    const result = checkText(text);
    expect(result.scripts).toContain('en-advance-fee-loan');
    expect(triggers(text)).toEqual(expect.arrayContaining(['ｌ0an', 'pr0cessing fee']));
  });

  it('spans are UTF-16 offsets into the original text, past emoji and astral characters', () => {
    const text = '😀😀 𝐆𝐢𝐟𝐭 𝐜𝐚𝐫𝐝 only. You owe a debt; buy gift cards now and read me the numbers on the back.';
    const result = checkText(text);
    expect(result.verdict).not.toBe('safe');
    for (const m of result.matches) {
      expect(m.start).toBeGreaterThanOrEqual(0);
      expect(m.end).toBeLessThanOrEqual(text.length);
    }
    expect(triggers(text)).toContain('𝐆𝐢𝐟𝐭 𝐜𝐚𝐫𝐝');
  });
});

describe('checkText: advisories and ordinary hard cases are not flagged', () => {
  const cases = [
    '公安机关不会要求转账到安全账户，凡是让你转账到安全账户的都是诈骗。',
    '验证码123456，请勿泄露给他人。',
    '【京东】您的验证码为5518，5分钟内有效，请勿泄露。工作人员不会向您索要验证码。',
    'We will never ask you for your verification code. Do not share it with anyone.',
    'Your bank will never ask you to move money to a safe account. If someone does, hang up and call us.',
    '【菜鸟驿站】您的包裹已到XX小区驿站，取件码3-2-1008，请于18:00前领取。',
    'Your refund of $34.99 has been processed and will appear on your original payment method in 3-5 business days.',
    '【借呗】您本期应还款2,056.32元，还款日为12月5日，请确保支付宝余额充足，逾期将影响您的信用记录。',
  ];
  for (const text of cases) {
    it(text.slice(0, 40), () => {
      expect(checkText(text).verdict).toBe('safe');
    });
  }

  it('marks warnings as advisories', () => {
    expect(checkText('公安机关不会要求转账到安全账户，凡是让你转账到安全账户的都是诈骗。').advisory).toBe(true);
  });

  it('still warns when a scam wraps itself in anti-fraud words', () => {
    const result = checkText(
      '我是反诈中心民警，你的账户涉嫌洗钱，为了防止诈骗，请立即把资金转入安全账户，不要告诉家人。',
    );
    expect(result.verdict).toBe('scam');
  });

  it('false alarms on the labelled benign fixtures stay at or under 10% per language', () => {
    const paraphrases = readFileSync(resolve(__dirname, '../../fixtures/scam/paraphrases.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Fixture);
    for (const lang of ['zh', 'en'] as const) {
      const benign = [...fixtures, ...paraphrases].filter((f) => f.label === 'benign' && f.lang === lang);
      const flagged = benign.filter((f) => checkText(f.text).verdict !== 'safe');
      expect(flagged.length / benign.length, flagged.map((f) => f.text).join('\n')).toBeLessThanOrEqual(0.1);
    }
  });
});

describe('checkText: result shape', () => {
  it('scores within 0..1 and sorts matches by start', () => {
    for (const f of fixtures.slice(0, 80)) {
      const r = checkText(f.text);
      expect(r.score).toBeGreaterThanOrEqual(0);
      expect(r.score).toBeLessThanOrEqual(1);
      for (let i = 1; i < r.matches.length; i++)
        expect(r.matches[i]!.start).toBeGreaterThanOrEqual(r.matches[i - 1]!.start);
      for (const m of r.matches) expect(r.scripts).toContain(m.script);
    }
  });

  it('handles empty and huge inputs', () => {
    expect(checkText('').verdict).toBe('safe');
    expect(checkText('普通的一天。'.repeat(50_000)).verdict).toBe('safe');
  });
});
