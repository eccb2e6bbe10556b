import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRangeApp } from '@/server/app';
import { ensureDemoData } from '@/server/demo';
import { readKeyFile } from '@/server/keys';
import { createFsStore } from '@/server/store';
import { checkNumber } from './helpers';

const SIZE = { cn: 1600, intl: 500, overlap: 100 };
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'eg-demo-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('ensureDemoData', () => {
  it('generates a fake leak deterministically, builds it, and names exposed and clean numbers', async () => {
    const demo = await ensureDemoData(join(root, 'a'), { size: SIZE });
    expect(demo.exposedNumbers).toHaveLength(2);
    const cnCsv = await readFile(join(root, 'a', 'leak', 'demo-cn-loan.csv'), 'utf8');
    expect(cnCsv.split('\n')[0]).toBe('姓名,手机号,身份证,借款金额,审批状态');
    expect(cnCsv).toContain('测试用户1,');
    expect(cnCsv).not.toMatch(/,\d{17}[\dX],/); // no real-looking ID numbers
    const intlCsv = await readFile(join(root, 'a', 'leak', 'demo-intl.csv'), 'utf8');
    expect(intlCsv.split('\n')[0]).toBe('name,phone,email,address');
    expect(intlCsv).toContain('@example.invalid');

    const key = await readKeyFile(demo.keyFile);
    expect(key.publicKeyText).toBe(demo.publicKey);
    const app = createRangeApp({ store: createFsStore(demo.dataDir), secretKey: key.secretKey });
    const [cnOnly, inBoth] = demo.exposedNumbers;
    expect(await checkNumber(app, cnOnly)).toMatchObject({ found: true, datasetBits: 0b01 });
    expect(await checkNumber(app, inBoth)).toMatchObject({ found: true, datasetBits: 0b11 });
    expect(await checkNumber(app, demo.cleanNumber)).toEqual({ found: false });

    // Same generator, same numbers and key, anywhere.
    const again = await ensureDemoData(join(root, 'b'), { size: SIZE });
    expect(again.exposedNumbers).toEqual(demo.exposedNumbers);
    expect(again.cleanNumber).toBe(demo.cleanNumber);
    expect(again.publicKey).toBe(demo.publicKey);
  });

  it('does not rebuild on a second run', async () => {
    const first = await ensureDemoData(join(root, 'a'), { size: SIZE });
    const manifest = await readFile(join(first.dataDir, 'manifest.json'), 'utf8');
    const second = await ensureDemoData(join(root, 'a'), { size: SIZE });
    expect(second).toEqual(first);
    // Not rebuilt: the manifest (with its fresh version) is the same file.
    expect(await readFile(join(first.dataDir, 'manifest.json'), 'utf8')).toBe(manifest);
  });
});
