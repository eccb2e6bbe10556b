import { afterEach, describe, expect, it } from 'vitest';
import { assessCaller, CALLER_RULES, type CallerFindingCode } from '@/utils/log';
import { createTestStore, deleteTestDatabases } from './helpers';

afterEach(deleteTestDatabases);

const codes = (result: ReturnType<typeof assessCaller>): CallerFindingCode[] => result.findings.map((f) => f.code);

describe('caller rules as data', () => {
  it('every rule has an id, a source with a note, and a unique id', () => {
    const ids = CALLER_RULES.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of CALLER_RULES) {
      expect(rule.source.title.length).toBeGreaterThan(5);
      expect(rule.source.note.length).toBeGreaterThan(20);
    }
  });
});

describe('assessCaller', () => {
  it.each(['170', '171', '162', '165', '167'])('flags the virtual-operator range %s', (prefix) => {
    const result = assessCaller({ number: `${prefix}1234 5678`, defaultCountry: 'CN' });
    const finding = result.findings.find((f) => f.code === 'virtual-operator-range');
    expect(finding).toMatchObject({ severity: 'warning', ruleId: 'cn-virtual-operator-range', params: [prefix] });
    expect(finding?.source?.url).toContain('wikipedia');
  });

  it('says nothing about an ordinary mobile with no history', () => {
    expect(assessCaller({ number: '138 0013 8000', defaultCountry: 'CN' }).findings).toEqual([]);
  });

  it('flags "customer service" quoting 95xxx from an ordinary mobile', () => {
    const result = assessCaller({
      number: '13800138000',
      claimedName: '招商银行客服',
      said: '我是95555的工作人员，您的卡被冻结了',
      defaultCountry: 'CN',
    });
    expect(result.findings[0]).toMatchObject({
      code: 'claims-short-number-from-mobile',
      severity: 'danger',
      params: ['95555'],
    });
  });

  it('treats a real 95xxx/96xxx number as an official short number (info)', () => {
    expect(codes(assessCaller({ number: '95588', defaultCountry: 'CN' }))).toEqual(['official-short-number']);
    expect(codes(assessCaller({ number: '96777', defaultCountry: 'CN' }))).toEqual(['official-short-number']);
  });

  it('flags +95 / 0095 numbers that look like bank short numbers', () => {
    for (const [number, international] of [
      ['+95 588 123 4567', '+955881234567'],
      ['0095588123456', '+95588123456'],
    ] as const) {
      const result = assessCaller({ number, defaultCountry: 'CN' });
      expect(result.findings[0]).toMatchObject({
        code: 'international-short-number-lookalike',
        severity: 'danger',
        params: ['95588', international],
      });
      expect(codes(result)).not.toContain('official-short-number');
    }
  });

  it('flags international numbers that claim to be a local institution', () => {
    const result = assessCaller({
      number: '+63 917 123 4567',
      claimedName: '公安局',
      said: '你涉嫌洗钱',
      defaultCountry: 'CN',
    });
    expect(result.country).toBe('PH');
    expect(result.findings[0]).toMatchObject({ code: 'international-claims-institution', params: ['PH', '公安'] });
    const plain = assessCaller({ number: '+63 917 123 4567', defaultCountry: 'CN' });
    expect(plain.findings).toEqual([expect.objectContaining({ code: 'international-number', severity: 'info' })]);
    // For a user in the Philippines the same number is local.
    expect(assessCaller({ number: '+63 917 123 4567', claimedName: 'bank', defaultCountry: 'PH' }).findings).toEqual(
      [],
    );
  });

  it('warns about international numbers that cannot exist', () => {
    expect(codes(assessCaller({ number: '+000 19 1234', defaultCountry: 'CN' }))).toContain('invalid-number');
  });

  it('adds what the log already knows about the number, most serious first', async () => {
    const { store } = await createTestStore();
    await store.addEntry({
      number: '17012345678',
      said: 'overdue',
      scripts: ['overdue-threat'],
      risk: 'high',
      status: 'blocked',
    });
    await store.addEntry({ number: '170 1234 5678' });
    const history = store.findByNumber('+86 170-1234-5678')!;
    const result = assessCaller({ number: '+86 170-1234-5678', defaultCountry: 'CN', history });
    expect(result.numberKey).toBe(history.numberKey);
    expect(codes(result)).toEqual([
      'matched-scripts',
      'high-risk-logged',
      'virtual-operator-range',
      'previously-blocked',
      'seen-before',
    ]);
    expect(result.findings.find((f) => f.code === 'seen-before')!.params).toEqual([2, history.lastAt]);
    expect(result.findings.find((f) => f.code === 'matched-scripts')!.ruleId).toBe('history');
  });

  it('uses the rules it is given (rules are data)', () => {
    const result = assessCaller({
      number: '13800138000',
      defaultCountry: 'CN',
      rules: [
        {
          id: 'test-138',
          kind: 'national-prefix',
          country: 'CN',
          prefixes: ['138'],
          finding: 'virtual-operator-range',
          severity: 'info',
          source: { title: 'test', note: 'a rule made in the test' },
        },
      ],
    });
    expect(result.findings).toEqual([expect.objectContaining({ ruleId: 'test-138', params: ['138'] })]);
  });
});
