/**
 * Command line for the scam matcher (node only; never imported by the extension).
 *
 *   npm run scam:check -- --jsonl FILE   lines {"text": "…"} → one JSON result line each, in order
 *   npm run scam:check < message.txt     the whole of stdin is one text → one result line
 *
 * Result: {"verdict":"scam|suspicious|safe","score":0..1,"scripts":[…],"matches":[{"start","end","script"}]}
 * Offsets are UTF-16 offsets into the input text. A bad input line gets an error line on
 * stderr and {"error": "…", "line": n} on stdout, so outputs stay aligned with inputs.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createScamMatcher } from './match';

const USAGE = 'usage: npm run scam:check -- [--jsonl FILE|-]   (without --jsonl: plain text on stdin)';

function formatResult(
  text: string,
  check: (text: string) => ReturnType<ReturnType<typeof createScamMatcher>['checkText']>,
) {
  const { verdict, score, scripts, matches } = check(text);
  return JSON.stringify({ verdict, score, scripts, matches });
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

async function runJsonl(
  path: string,
  check: (text: string) => ReturnType<ReturnType<typeof createScamMatcher>['checkText']>,
) {
  const input = path === '-' ? process.stdin : createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  let buffer: string[] = [];
  let errors = 0;
  const flush = () => {
    if (buffer.length) process.stdout.write(`${buffer.join('\n')}\n`);
    buffer = [];
  };
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    let text: unknown;
    try {
      const parsed: unknown = JSON.parse(line);
      text = parsed && typeof parsed === 'object' ? (parsed as { text?: unknown }).text : undefined;
      if (typeof text !== 'string') throw new Error('expected an object with a string "text" field');
    } catch (error) {
      errors++;
      const message = error instanceof SyntaxError ? `not valid JSON (${error.message})` : (error as Error).message;
      process.stderr.write(`scam:check: line ${lineNumber}: ${message}\n`);
      buffer.push(JSON.stringify({ error: message, line: lineNumber }));
      continue;
    }
    buffer.push(formatResult(text, check));
    if (buffer.length >= 256) flush();
  }
  flush();
  return errors;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const at = args.indexOf('--jsonl');
  const unknown = at >= 0 ? args.filter((_, i) => i !== at && i !== at + 1) : args;
  if (unknown.length > 0 || (at >= 0 && !args[at + 1])) {
    process.stderr.write(
      `scam:check: ${at >= 0 && !args[at + 1] ? '--jsonl needs a file' : `unknown argument ${unknown[0]}`}\n${USAGE}\n`,
    );
    return 2;
  }
  const matcher = createScamMatcher();
  const check = (text: string) => matcher.checkText(text);
  if (at >= 0) {
    await runJsonl(args[at + 1]!, check);
    return 0;
  }
  const text = await readAll(process.stdin);
  process.stdout.write(`${formatResult(text, check)}\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const err = error as NodeJS.ErrnoException;
    process.stderr.write(`scam:check: ${err.code === 'ENOENT' ? `no such file: ${err.path}` : err.message}\n`);
    process.exitCode = 1;
  },
);
