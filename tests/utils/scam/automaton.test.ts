import { describe, expect, it } from 'vitest';
import { createAutomaton } from '@/utils/scam/automaton';

function codesOf(text: string): Uint16Array {
  return Uint16Array.from(text, (c) => c.charCodeAt(0));
}

function naiveHits(patterns: string[], text: string): string[] {
  const hits: string[] = [];
  patterns.forEach((p, index) => {
    for (let i = text.indexOf(p); i >= 0; i = text.indexOf(p, i + 1)) hits.push(`${index}@${i + p.length}`);
  });
  return hits.sort();
}

function automatonHits(patterns: string[], text: string): string[] {
  const hits: string[] = [];
  createAutomaton(patterns).scan(codesOf(text), text.length, (p, end) => hits.push(`${p}@${end}`));
  return hits.sort();
}

describe('createAutomaton', () => {
  it('finds overlapping and nested patterns, like he/she/hers', () => {
    expect(automatonHits(['he', 'she', 'hers', 'his'], 'ushers')).toEqual(['0@4', '1@4', '2@6']);
  });

  it('finds Chinese patterns that share prefixes and suffixes', () => {
    const patterns = ['安全账户', '账户', '安全', '全账'];
    expect(automatonHits(patterns, '转入安全账户')).toEqual(naiveHits(patterns, '转入安全账户'));
  });

  it('agrees with a naive search on random text', () => {
    const alphabet = 'ab安全c';
    let seed = 7;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const word = (len: number) => Array.from({ length: len }, () => alphabet[rand(alphabet.length)]).join('');
    for (let round = 0; round < 50; round++) {
      const patterns = Array.from({ length: 8 }, () => word(1 + rand(4)));
      const text = word(200);
      expect(automatonHits(patterns, text)).toEqual(naiveHits(patterns, text));
    }
  });

  it('rejects empty patterns', () => {
    expect(() => createAutomaton([''])).toThrow(RangeError);
  });
});
