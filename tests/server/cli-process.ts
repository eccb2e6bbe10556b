import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

/** Shared by the CLI test files: run a server/cli script through tsx and collect what it prints. */
export const ROOT = resolve(__dirname, '../..');
export const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCliScript(scriptPath: string, args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(TSX, [scriptPath, ...args], { cwd: ROOT, ...(env ? { env } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

/** Resolves with everything printed once `pattern` matches; rejects if the process exits first. */
export function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((done, fail) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (pattern.test(text)) done(text);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => fail(new Error(`exited ${code}: ${text}`)));
  });
}
