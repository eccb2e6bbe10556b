import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRangeApp } from '@/server/app';
import { BuildError, buildRange } from '@/server/builder/build';
import { type BuildConfig, ConfigError, loadBuildConfig, parseBuildConfig } from '@/server/builder/config';
import { COUNT_BITS, chooseBucketSize, choosePrefixBits, formatPrefix, getPrefix24 } from '@/server/builder/core';
import { detectDelimiter, detectLayout, getLayoutFields, readInput } from '@/server/builder/inputs';
import { normalizePhoneNumber } from '@/server/builder/normalize';
import { writeKeyFile } from '@/server/keys';
import { CHECKSUM_FILE, createFsStore, MANIFEST_FILE, parseChecksums } from '@/server/store';
import { ENTRY_SIZE, encodeBase64Url, getBucketPrefix, getFieldBits } from '@/utils/exposure/protocol';
import { checkNumber } from './helpers';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eg-builder-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(path: string, options = {}) {
  const records = [];
  for await (const record of readInput(path, options)) records.push(record);
  return records;
}

const bits = (...fields: string[]) => getFieldBits(['phone', ...fields]);

describe('input readers', () => {
  it('reads comma CSV with Chinese headers, quoted cells and a BOM, inferring fields per row', async () => {
    const path = join(dir, 'a.csv');
    await writeFile(
      path,
      '\uFEFF姓名,手机号,身份证,借款金额,审批状态\n测试用户1,13800138000,DEMO1,5000,已放款\n"测试, 用户2","139 0013 9000",,,\n',
    );
    expect(await collect(path)).toEqual([
      { phone: '13800138000', fieldBits: bits('name', 'id_number', 'loan_amount', 'loan_status') },
      { phone: '139 0013 9000', fieldBits: bits('name') },
    ]);
  });

  it('detects tab and semicolon delimiters and English headers', async () => {
    const tsv = join(dir, 'b.tsv');
    await writeFile(tsv, 'Name\tPhone Number\tE-mail\nA\t+12015550123\ta@example.invalid\n');
    expect(await collect(tsv)).toEqual([{ phone: '+12015550123', fieldBits: bits('name', 'email') }]);
    const semi = join(dir, 'c.csv');
    await writeFile(semi, 'name;mobile;address\n"Smith; J";+447700900123;"1 High St"\n');
    expect(await collect(semi)).toEqual([{ phone: '+447700900123', fieldBits: bits('name', 'address') }]);
    expect(detectDelimiter('a,b;c;d')).toBe(';');
    expect(detectDelimiter('"a;b;c",d,e')).toBe(',');
    expect(detectDelimiter('a\tb,c')).toBe('\t');
  });

  it('reads GB18030 CSV (Chinese Excel exports)', async () => {
    const path = join(dir, 'gbk.csv');
    // "姓名,电话\n张三,13800138000\n" in GB18030.
    const bytes = Buffer.from('d0d5c3fb2cb5e7bbb00ad5c5c8fd2c31333830303133383030300a', 'hex');
    await writeFile(path, bytes);
    expect(await collect(path)).toEqual([{ phone: '13800138000', fieldBits: bits('name') }]);
  });

  it('reads the first sheet of an XLSX file, numbers stored as numbers included', async () => {
    const path = join(dir, 'd.xlsx');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('泄露');
    sheet.addRow(['联系电话', '姓名', '家庭住址']);
    sheet.addRow([13800138000, '测试用户1', '']);
    sheet.addRow(['+86 139 0013 9000', '', '演示地址']);
    workbook.addWorksheet('other').addRow(['phone']);
    await workbook.xlsx.writeFile(path);
    expect(await collect(path)).toEqual([
      { phone: '13800138000', fieldBits: bits('name') },
      { phone: '+86 139 0013 9000', fieldBits: bits('address') },
    ]);
  });

  it('reads plain text, one number per line, skipping blanks, comments and a header line', async () => {
    const path = join(dir, 'e.txt');
    await writeFile(path, 'phone\n13800138000\r\n\n# comment\n+1 201 555 0123');
    expect(await collect(path)).toEqual([
      { phone: '13800138000', fieldBits: bits() },
      { phone: '+1 201 555 0123', fieldBits: bits() },
    ]);
  });

  it('honours phoneColumn and fields overrides, and headerless files', async () => {
    const path = join(dir, 'f.csv');
    await writeFile(path, 'a,b,c\nx,13800138000,y\n');
    expect(await collect(path, { phoneColumn: 'b', fields: ['contacts'] })).toEqual([
      { phone: '13800138000', fieldBits: bits('contacts') },
    ]);
    await expect(collect(path)).rejects.toThrow(/no phone column found/);
    await expect(collect(path, { phoneColumn: 'missing' })).rejects.toThrow(/no column named "missing"/);
    const headerless = join(dir, 'g.csv');
    await writeFile(headerless, '测试用户1,13800138000\n测试用户2,13900139000\n');
    expect((await collect(headerless)).map((r) => r.phone)).toEqual(['13800138000', '13900139000']);
  });

  it('finds phone and field columns by many header spellings', () => {
    for (const header of [
      '手机号',
      '手机',
      '电话',
      '联系电话',
      'Mobile',
      'phone',
      'TEL',
      'phone_number',
      '借款人手机号',
    ]) {
      expect(detectLayout(['姓名', header]).phoneIndex).toBe(1);
    }
    expect(detectLayout(['紧急联系人电话', '手机号']).phoneIndex).toBe(1);
    const layout = detectLayout(['姓名', '手机号', '身份证号', '额度', '审批状态', '地址', '邮箱', '通讯录', 'other']);
    expect(getLayoutFields(layout)).toEqual([
      'name',
      'phone',
      'id_number',
      'loan_amount',
      'loan_status',
      'address',
      'contacts',
      'email',
    ]);
  });
});

describe('normalisation', () => {
  it('reads numbers in the default country and keeps only valid ones', () => {
    expect(normalizePhoneNumber('138 0013 8000', 'CN')).toEqual({ ok: true, e164: '+8613800138000' });
    expect(normalizePhoneNumber('0086-138-0013-8000', 'US')).toEqual({ ok: true, e164: '+8613800138000' });
    expect(normalizePhoneNumber('(201) 555-0123', 'US')).toEqual({ ok: true, e164: '+12015550123' });
    expect(normalizePhoneNumber('13800138000.0', 'CN')).toEqual({ ok: true, e164: '+8613800138000' });
    expect(normalizePhoneNumber('  ', 'CN')).toEqual({ ok: false, reason: 'empty_phone' });
    expect(normalizePhoneNumber('unknown', 'CN')).toEqual({ ok: false, reason: 'unparseable_phone' });
    expect(normalizePhoneNumber('12345', 'CN')).toEqual({ ok: false, reason: 'invalid_phone' });
  });
});

describe('layout choices', () => {
  it('picks the smallest multiple of 4 keeping buckets at or under 8,192 and rounds bucketSize to 64', () => {
    const counts = new Uint32Array(1 << COUNT_BITS);
    counts[0] = 8192;
    expect(choosePrefixBits(counts)).toBe(8);
    counts[0x001000] = 1; // same 8-bit bucket (00), now 8,193; 12-bit buckets 000 and 001 split it
    expect(choosePrefixBits(counts)).toBe(12);
    counts[0x001000] = 5000;
    counts[0x001100] = 4000; // 12-bit bucket 001 holds 9,000; 16-bit buckets 0010 and 0011 split it
    expect(choosePrefixBits(counts)).toBe(16);
    counts[0x001101] = 8200; // 0011 now 12,200, and only 24 bits separate 001100 from 001101
    expect(choosePrefixBits(counts)).toBe(24);
    expect(chooseBucketSize(0)).toBe(64);
    expect(chooseBucketSize(64)).toBe(64);
    expect(chooseBucketSize(65)).toBe(128);
    expect(chooseBucketSize(8192)).toBe(8192);
  });

  it('uses the same bucket hash as the client', () => {
    for (const e164 of ['+8613800138000', '+12015550123', '+447700900123']) {
      for (const prefixBits of [8, 12, 16, 20, 24]) {
        expect(formatPrefix(getPrefix24(e164), prefixBits)).toBe(getBucketPrefix(e164, prefixBits));
      }
    }
  });
});

async function setUpBuild(extra: Partial<Record<string, unknown>> = {}) {
  await writeFile(
    join(dir, 'cn.csv'),
    [
      '姓名,手机号,身份证,借款金额',
      '测试用户1,13800138000,DEMO1,5000',
      '测试用户2,139 0013 9000,,',
      '测试用户3,,,', // empty phone
      '测试用户4,abc,,', // unparseable
      '测试用户5,12345,,', // invalid
      '测试用户6,"13800138000",,', // duplicate within the dataset
      '测试用户7,"15000000001,,', // broken quoting swallows the rest of the file
    ].join('\n'),
  );
  await writeFile(join(dir, 'intl.txt'), '+8613800138000\n+12015550123\n0\n');
  const key = await writeKeyFile(join(dir, 'range.key'));
  const config = {
    key: 'range.key',
    out: 'out',
    datasets: [
      {
        id: 'cn',
        title: { en: 'CN', 'zh-CN': '中国' },
        published: '2019-06-05',
        defaultCountry: 'CN',
        inputs: ['cn.csv'],
      },
      {
        id: 'intl',
        title: { en: 'Intl', 'zh-CN': '国际' },
        published: '2020-01-02',
        defaultCountry: 'US',
        inputs: ['intl.txt'],
        fields: ['email'],
      },
    ],
    ...extra,
  };
  await writeFile(join(dir, 'build.json'), JSON.stringify(config));
  return { key, config: await loadBuildConfig(join(dir, 'build.json')) };
}

describe('buildRange', () => {
  it('builds a servable folder, counts bad rows by reason, de-duplicates and ORs bits', async () => {
    const { key, config } = await setUpBuild();
    const report = await buildRange(config, { secretKey: key.secretKey });
    const [cn, intl] = report.datasets;
    expect(cn?.rows).toBe(7);
    expect(cn?.valid).toBe(3);
    expect(cn?.records).toBe(2);
    expect(cn?.duplicates).toBe(1);
    expect(cn?.bad).toEqual({ empty_phone: 1, unparseable_phone: 1, invalid_phone: 1, malformed_row: 1 });
    expect(intl?.records).toBe(2);
    expect(intl?.bad).toEqual({ unparseable_phone: 1 });
    expect(report.records).toBe(3);

    const out = join(dir, 'out');
    expect((await readdir(out)).sort()).toEqual(['SHA256SUMS', 'buckets', 'manifest.json']);
    const manifest = JSON.parse(await readFile(join(out, MANIFEST_FILE), 'utf8'));
    expect(manifest.publicKey).toBe(key.publicKeyText);
    expect(manifest.prefixBits).toBe(8);
    expect(manifest.bucketSize).toBe(64);
    expect(manifest.datasets.map((d: { records: number }) => d.records)).toEqual([2, 2]);
    const buckets = await readdir(join(out, 'buckets'));
    expect(buckets).toHaveLength(256);
    const sums = parseChecksums(await readFile(join(out, CHECKSUM_FILE), 'utf8'));
    expect(sums.size).toBe(256);
    expect((await stat(join(out, 'buckets', '00.bin'))).size).toBe(64 * ENTRY_SIZE);

    // The secret key is nowhere in the output.
    const secret = Buffer.from(key.secretKey);
    const secretText = encodeBase64Url(key.secretKey);
    for (const name of ['manifest.json', 'SHA256SUMS', ...buckets.map((b) => `buckets/${b}`)]) {
      const bytes = await readFile(join(out, name));
      expect(bytes.includes(secret)).toBe(false);
      expect(bytes.toString('latin1').includes(secretText)).toBe(false);
    }

    const app = createRangeApp({ store: createFsStore(out), secretKey: key.secretKey });
    expect(await checkNumber(app, '+8613800138000')).toEqual({
      found: true,
      datasetBits: 0b11,
      fieldBits: bits('name', 'id_number', 'loan_amount', 'email'),
    });
    expect(await checkNumber(app, '+8613900139000')).toEqual({
      found: true,
      datasetBits: 0b01,
      fieldBits: bits('name'),
    });
    expect(await checkNumber(app, '+12015550123')).toEqual({
      found: true,
      datasetBits: 0b10,
      fieldBits: bits('email'),
    });
    expect(await checkNumber(app, '+8615000000001')).toEqual({ found: false });
  });

  it('gives the same answers when the evaluation runs on worker threads', async () => {
    const { key, config } = await setUpBuild();
    const report = await buildRange(
      { ...config, out: join(dir, 'threaded') },
      { secretKey: key.secretKey, threads: 2 },
    );
    expect(report.records).toBe(3);
    expect(report.datasets.map((d) => d.records)).toEqual([2, 2]);
    const app = createRangeApp({ store: createFsStore(join(dir, 'threaded')), secretKey: key.secretKey });
    expect(await checkNumber(app, '+8613800138000')).toEqual({
      found: true,
      datasetBits: 0b11,
      fieldBits: bits('name', 'id_number', 'loan_amount', 'email'),
    });
    expect(await checkNumber(app, '+8615000000001')).toEqual({ found: false });
  });

  it('replaces the previous build only when the new one is complete', async () => {
    const { key, config } = await setUpBuild({ prefixBits: 12 });
    const first = await buildRange(config, { secretKey: key.secretKey });
    expect(first.manifest.prefixBits).toBe(12);
    const out = join(dir, 'out');
    const firstManifest = await readFile(join(out, MANIFEST_FILE), 'utf8');

    // A failing build (an input vanished mid-way) leaves the first build serving and no temp folders.
    const broken: BuildConfig = {
      ...config,
      datasets: [...config.datasets, { ...config.datasets[0]!, id: 'gone', inputs: [join(dir, 'missing.csv')] }],
    };
    await expect(buildRange(broken, { secretKey: key.secretKey })).rejects.toThrow(BuildError);
    expect(await readFile(join(out, MANIFEST_FILE), 'utf8')).toBe(firstManifest);
    expect((await readdir(dir)).filter((name) => name.startsWith('.'))).toEqual([]);

    const second = await buildRange(config, { secretKey: key.secretKey });
    expect(second.manifest.version).not.toBe(first.manifest.version);
    const store = createFsStore(out);
    expect((await store.getManifest())?.version).toBe(second.manifest.version);
    expect(await store.getBucket(first.manifest.version, '000')).toBeNull();
    expect((await readdir(dir)).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('refuses a key inside the output folder and a non-build output folder', async () => {
    const { key, config } = await setUpBuild();
    await expect(
      buildRange({ ...config, key: join(config.out, 'range.key') }, { secretKey: key.secretKey }),
    ).rejects.toThrow(/inside the output folder/);
    await expect(buildRange({ ...config, out: dir }, { secretKey: key.secretKey })).rejects.toThrow(
      /inside the output folder|not empty and holds no previous build/,
    );
    await writeFile(join(dir, 'keep.txt'), 'x');
    await expect(buildRange({ ...config, out: join(dir, 'keep.txt') }, { secretKey: key.secretKey })).rejects.toThrow(
      /not a folder/,
    );
    await writeFile(join(dir, 'precious.txt'), 'x');
    await expect(
      buildRange({ ...config, out: join(dir, 'docs') }, { secretKey: key.secretKey }).then(async () => {
        // an empty or missing folder is fine to build into
        await writeFile(join(dir, 'docs', 'notes.txt'), 'mine');
        await rm(join(dir, 'docs', MANIFEST_FILE));
        return buildRange({ ...config, out: join(dir, 'docs') }, { secretKey: key.secretKey });
      }),
    ).rejects.toThrow(/not empty and holds no previous build/);
    expect(await readFile(join(dir, 'docs', 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('explains config mistakes', async () => {
    const base = {
      key: 'k',
      out: 'o',
      datasets: [
        {
          id: 'a',
          title: { en: 'A', 'zh-CN': '甲' },
          published: '2019-01-01',
          defaultCountry: 'CN',
          inputs: ['x.csv'],
        },
      ],
    };
    const bad = (patch: object, message: RegExp) =>
      expect(() => parseBuildConfig({ ...base, ...patch }, dir)).toThrow(message);
    bad({ key: 1 }, /"key"/);
    bad({ prefixBits: 10 }, /prefixBits/);
    bad({ datasets: [] }, /datasets/);
    bad({ datasets: [{ ...base.datasets[0], defaultCountry: 'XX' }] }, /defaultCountry/);
    bad({ datasets: [{ ...base.datasets[0], published: 'June 2019' }] }, /published/);
    bad({ datasets: [{ ...base.datasets[0], fields: ['name', 'shoe_size'] }] }, /unknown shoe_size/);
    bad({ datasets: [base.datasets[0], base.datasets[0]] }, /used twice/);
    await expect(loadBuildConfig(join(dir, 'nope.json'))).rejects.toThrow(/config file not found/);
    await writeFile(join(dir, 'c.json'), JSON.stringify(base));
    await expect(loadBuildConfig(join(dir, 'c.json'))).rejects.toThrow(ConfigError);
  });
});
