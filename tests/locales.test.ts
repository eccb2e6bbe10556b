import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseYAML } from 'confbox';
import { describe, expect, it } from 'vitest';
import { generateZhTw } from './tools/generate-zh-tw';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

function readLocale(name: string): Map<string, string> {
  return flatten(parseYAML(readFileSync(`locales/${name}.yml`, 'utf8')) as Tree);
}

function listSources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return listSources(path);
    return /\.(ts|tsx)$/.test(entry) ? [path] : [];
  });
}

function placeholders(message: string): string[] {
  return [...message.matchAll(/\$[1-9]/g)].map((m) => m[0]).sort();
}

describe('locales', () => {
  const en = readLocale('en');
  const zhCN = readLocale('zh-CN');

  it('zh-CN and en have the same keys', () => {
    expect([...zhCN.keys()].sort()).toEqual([...en.keys()].sort());
  });

  it('every translation keeps the same $n placeholders', () => {
    for (const [key, message] of en) {
      expect(placeholders(zhCN.get(key) ?? ''), key).toEqual(placeholders(message));
    }
  });

  it('zh-TW is the up-to-date conversion of zh-CN (run `npm run i18n:zh-TW`)', () => {
    expect(readFileSync('locales/zh-TW.yml', 'utf8')).toBe(generateZhTw(readFileSync('locales/zh-CN.yml', 'utf8')));
  });

  it('every t() key used in the code exists', () => {
    const missing: string[] = [];
    for (const file of ['entrypoints', 'components', 'utils'].flatMap(listSources)) {
      const source = readFileSync(file, 'utf8').replace(/^\s*\/\/.*$/gm, '');
      for (const match of source.matchAll(/\bt\(\s*'([A-Za-z0-9_.]+)'/g)) {
        if (!en.has(match[1] as string)) missing.push(`${file}: ${match[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
