import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(__dirname, '../../..');
const tsx = resolve(repoRoot, 'node_modules/.bin/tsx');

function runCli(args: string[], input?: string) {
  const result = spawnSync(tsx, ['utils/scam/cli.ts', ...args], {
    cwd: repoRoot,
    input,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('scam:check CLI', () => {
  it('writes one result line per JSONL input line, in order, with UTF-16 spans', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scam-cli-'));
    const file = join(dir, 'in.jsonl');
    const texts = [
      '😀 你在大学期间开通过校园贷账户，需要注销，否则影响征信。',
      '验证码123456，请勿泄露给他人。',
      'Pay today with gift cards or you will be arrested over your unpaid debt.',
    ];
    writeFileSync(file, `${texts.map((text) => JSON.stringify({ text })).join('\n')}\n`);
    const { code, stdout, stderr } = runCli(['--jsonl', file]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(Object.keys(line)).toEqual(['verdict', 'score', 'scripts', 'matches']);
    expect(lines[0].verdict).toBe('scam');
    expect(lines[0].scripts).toContain('zh-campus-loan-cancellation');
    const spans = lines[0].matches.map((m: { start: number; end: number }) => texts[0]!.slice(m.start, m.end));
    expect(spans).toEqual(expect.arrayContaining(['校园贷', '注销']));
    expect(lines[1]).toEqual({ verdict: 'safe', score: 0, scripts: [], matches: [] });
    expect(lines[2].verdict).toBe('scam');
  });

  it('reports a bad line on stderr and as an error line, then carries on', () => {
    const { code, stdout, stderr } = runCli(
      ['--jsonl', '-'],
      '{"text":"ok"}\nnot json\n{"text": 3}\n{"text":"安全账户转账"}\n',
    );
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    expect(lines[0].verdict).toBe('safe');
    expect(lines[1]).toMatchObject({ line: 2 });
    expect(lines[1].error).toMatch(/not valid JSON/);
    expect(lines[2]).toMatchObject({ line: 3 });
    expect(lines[3].verdict).toBe('scam');
    expect(stderr).toMatch(/line 2: not valid JSON/);
    expect(stderr).toMatch(/line 3: expected an object/);
  });

  it('reads plain text from stdin without --jsonl', () => {
    const { code, stdout } = runCli([], '你涉嫌洗钱，我是公安局警官，请把钱转入安全账户配合调查。\n');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.verdict).toBe('scam');
    expect(result.scripts).toContain('zh-safe-account-authority');
  });

  it('explains a missing file and bad arguments', () => {
    expect(runCli(['--jsonl', '/nonexistent/file.jsonl'])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/no such file/),
    });
    expect(runCli(['--bogus'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown argument/) });
  });
});
