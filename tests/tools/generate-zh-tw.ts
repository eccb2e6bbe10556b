/**
 * locales/zh-TW.yml is generated from zh-CN.yml with OpenCC (Simplified → Taiwan Traditional,
 * with Taiwan phrases), so Traditional Chinese readers get a full translation that never lags.
 * Run `npm run i18n:zh-TW` after editing zh-CN.yml; a unit test fails while they differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as OpenCC from 'opencc-js';

const HEADER = '# Generated from zh-CN.yml by `npm run i18n:zh-TW` (OpenCC cn → tw). Do not edit.\n';

export function generateZhTw(zhCnYaml: string): string {
  // 'tw' converts characters only: the phrase mode 'twp' rewrote 注销 (cancel an account) as 登出 (log out).
  const convert = OpenCC.Converter({ from: 'cn', to: 'tw' });
  // Keys and placeholders are ASCII and pass through unchanged; only the Chinese text converts.
  return HEADER + convert(zhCnYaml).replace(/^( {2}lang: )zh-CN$/m, '$1zh-TW');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const source = readFileSync('locales/zh-CN.yml', 'utf8');
  writeFileSync('locales/zh-TW.yml', generateZhTw(source));
  console.log('locales/zh-TW.yml written');
}
