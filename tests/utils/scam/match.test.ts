import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkText, createScamMatcher, SCAM_CATALOGUE, type ScamCatalogue } from '@/utils/scam';
import { expandVariants } from '@/utils/scam/match';

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

/** A one-script catalogue for testing phrase syntax and scoring in isolation. */
function tinyCatalogue(
  groups: Record<string, string[]>,
  extra: Partial<ScamCatalogue> = {},
  advisory: Partial<ScamCatalogue['advisory']> = {},
): ScamCatalogue {
  return {
    version: 'test',
    shared: {},
    ...extra,
    advisory: { negators: [], cues: [], strongCues: [], vetoes: [], requests: [], ...advisory },
    scripts: [
      {
        ...SCAM_CATALOGUE.scripts[0]!,
        id: 'tiny',
        groups,
        rules: [{ all: Object.keys(groups), weight: 0.9 }],
      },
    ],
  };
}

describe('phrases: "#" is an amount', () => {
  const matcher = createScamMatcher(tinyCatalogue({ pay: ['交#', '借#到手', '付#'] }));
  const hits = (text: string) => matcher.checkText(text).matches.map((m) => text.slice(m.start, m.end));

  it('matches digits, Chinese numerals and a currency word, and highlights the amount', () => {
    expect(hits('请先交200块保证金')).toEqual(['交200']);
    expect(hits('今天交两万就撤诉')).toEqual(['交两万']);
    expect(hits('交 1,280 元手续费')).toEqual(['交 1,280']);
    expect(hits('點擊連結付港幣15元')).toEqual(['付港幣15']);
    expect(hits('借一萬實拿七千')).toEqual([]);
    expect(hits('借1000到手700')).toEqual(['借1000到手']);
  });

  it('needs a digit or at least two numerals, so ordinary words do not match', () => {
    expect(matcher.checkText('交一下作业，交易记录，付款方式').verdict).toBe('safe');
    expect(matcher.checkText('借钱到手了').verdict).toBe('safe');
  });

  it('rejects phrases it cannot match', () => {
    expect(() => createScamMatcher(tinyCatalogue({ a: ['#元'] }))).toThrow(/starts with an amount/);
    expect(() => createScamMatcher(tinyCatalogue({ a: ['交#5元'] }))).toThrow(/number right after/);
  });
});

describe('catalogue variants: text-speak and homophone typos', () => {
  it('replaces English keys as whole words only and Chinese keys anywhere', () => {
    const variants = { your: ['ur'], 解冻: ['结冻'] };
    expect(expandVariants('call your boss, yours too', variants)).toEqual([
      'call your boss, yours too',
      'call ur boss, yours too',
    ]);
    expect(expandVariants('解冻费', variants)).toEqual(['解冻费', '结冻费']);
    expect(expandVariants('no key here', variants)).toEqual(['no key here']);
  });

  it('compiles the variants into the automaton', () => {
    const matcher = createScamMatcher(
      tinyCatalogue({ a: ['call your boss'], b: ['解冻费'] }, { variants: { your: ['ur'], 解冻: ['结冻'] } }),
    );
    expect(matcher.checkText('pay or we call ur boss. 先交结冻费').scripts).toEqual(['tiny']);
    expect(matcher.checkText('pay or we call urboss. 先交结冻费').verdict).toBe('safe');
  });

  it('the built-in catalogue reads "ur boss" and "待款/结冻费" like the plain words', () => {
    expect(checkText('u owe us money from the cash advance app. pay today or we call ur boss.').verdict).not.toBe(
      'safe',
    );
    expect(checkText('你的待款已经批了，先交结冻费就能到帐').scripts).toContain('zh-upfront-fee-loan');
  });
});

describe('advisory language: conditions, call notes and news', () => {
  it('a vetoed negator is a condition, not a denial ("if you don\'t pay …")', () => {
    const matcher = createScamMatcher(
      tinyCatalogue({ a: ['gift card*'] }, {}, { negators: ["don't pay"], vetoes: ["if you don't"] }),
    );
    expect(matcher.checkText("If you don't pay with gift cards today we will sue.").verdict).toBe('scam');
    expect(matcher.checkText("Don't pay with gift cards.").verdict).toBe('safe');
  });

  it('flags a victim’s third-person call note that names what the caller claimed to be', () => {
    const result = checkText('对方自称是市公安局的民警，说我涉嫌洗钱，让我把存款转到他说的安全账户。');
    expect(result.verdict).toBe('scam');
    expect(result.scripts[0]).toBe('zh-safe-account-authority');
    expect(checkText('来电的人说他是催收公司的，说我欠了网贷不还，要我今天把钱转到他给的那个私人账户').verdict).toBe(
      'scam',
    );
  });

  it('does not flag news reports and people telling how they dodged a scam', () => {
    for (const text of [
      '本报讯 法院近日审结一起案件，被告人冒充客服以"注销校园贷"为由诱导多名学生借款转账，被判处有期徒刑。',
      'Investigators said the callers told victims to buy gift cards to avoid arrest over a debt they did not owe.',
      '有人打电话说我征信要出问题，让我交钱撤销，我直接挂了。',
    ])
      expect(checkText(text).verdict, text).toBe('safe');
  });
});

describe('typology-level evidence', () => {
  const cases: [string, string][] = [
    ['贷款已经审批通过了，需要先交3000块保证金才能放款。', 'zh-upfront-fee-loan'],
    ['借2000到手1400，7天后还2000，不查征信。', 'zh-714-predatory-loan'],
    ['再不还钱，你就等着吧，我们说到做到。', 'zh-fake-debt-collection'],
    ['逾期记录上了征信，以后子女考公都受影响，交500块就能帮你撤销上报。', 'zh-credit-record'],
    ['您的快递丢失，我们按三倍赔偿，请添加客服QQ办理。', 'zh-fake-customer-service'],
    ['This is the legal department. To avoid litigation, pay the balance by end of day.', 'en-phantom-debt-collector'],
    [
      'Your loan is approved. Before we release the funds you must pay the first month of interest.',
      'en-advance-fee-loan',
    ],
  ];
  for (const [text, script] of cases) {
    it(script, () => {
      const result = checkText(text);
      expect(result.verdict, text).not.toBe('safe');
      expect(result.scripts, text).toContain(script);
    });
  }
});
