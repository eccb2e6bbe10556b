import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { CountryCode } from 'libphonenumber-js/max';
import { FIELD_NAMES, type FieldName, isValidPrefixBits } from '@/utils/exposure/protocol';
import { isCountryCode } from './normalize';

/** `npm run range:build -- --config FILE`: the JSON shape (paths relative to the config file). */
export interface DatasetConfig {
  id: string;
  title: { en: string; 'zh-CN': string };
  published: string;
  defaultCountry: CountryCode;
  /** Absolute paths after loading. */
  inputs: string[];
  phoneColumn?: string;
  fields?: FieldName[];
}

export interface BuildConfig {
  /** Absolute path of the secret key file. */
  key: string;
  /** Absolute path of the output folder. */
  out: string;
  prefixBits?: number;
  datasets: DatasetConfig[];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a parsed config; every problem is one clear sentence naming the field. */
export function parseBuildConfig(json: unknown, baseDir: string): BuildConfig {
  const fail = (message: string): never => {
    throw new ConfigError(message);
  };
  if (!isRecord(json)) fail('the config must be a JSON object');
  const data = json as Record<string, unknown>;
  if (typeof data.key !== 'string' || data.key === '') fail('"key" must be the path of the secret key file');
  if (typeof data.out !== 'string' || data.out === '') fail('"out" must be the path of the output folder');
  if (data.prefixBits !== undefined && !isValidPrefixBits(data.prefixBits)) {
    fail('"prefixBits" must be 8, 12, 16, 20 or 24');
  }
  if (!Array.isArray(data.datasets) || data.datasets.length === 0) fail('"datasets" must be a non-empty array');
  const rawDatasets = data.datasets as unknown[];
  if (rawDatasets.length > 32) fail('at most 32 datasets (one bit each)');
  const ids = new Set<string>();
  const datasets = rawDatasets.map((raw, i): DatasetConfig => {
    const where = `datasets[${i}]`;
    if (!isRecord(raw)) fail(`${where} must be an object`);
    const d = raw as Record<string, unknown>;
    if (typeof d.id !== 'string' || !ID_PATTERN.test(d.id)) fail(`${where}.id must be letters, digits, . _ -`);
    if (ids.has(d.id as string)) fail(`${where}.id "${d.id}" is used twice`);
    ids.add(d.id as string);
    const title = d.title as Record<string, unknown> | undefined;
    if (!isRecord(title) || typeof title.en !== 'string' || typeof title['zh-CN'] !== 'string') {
      fail(`${where}.title needs "en" and "zh-CN" strings`);
    }
    if (
      typeof d.published !== 'string' ||
      !/^\d{4}-\d{2}-\d{2}$/.test(d.published) ||
      Number.isNaN(Date.parse(d.published))
    ) {
      fail(`${where}.published must be a date like 2019-06-05`);
    }
    if (!isCountryCode(d.defaultCountry)) fail(`${where}.defaultCountry must be a country code like CN or US`);
    if (!Array.isArray(d.inputs) || d.inputs.length === 0 || !d.inputs.every((p) => typeof p === 'string' && p)) {
      fail(`${where}.inputs must be a non-empty list of file paths`);
    }
    if (d.phoneColumn !== undefined && (typeof d.phoneColumn !== 'string' || d.phoneColumn === '')) {
      fail(`${where}.phoneColumn must be a header name`);
    }
    let fields: FieldName[] | undefined;
    if (d.fields !== undefined) {
      if (!Array.isArray(d.fields)) fail(`${where}.fields must be a list`);
      const unknown = (d.fields as unknown[]).filter((f) => !FIELD_NAMES.includes(f as FieldName));
      if (unknown.length > 0) fail(`${where}.fields: unknown ${unknown.join(', ')} (known: ${FIELD_NAMES.join(', ')})`);
      fields = d.fields as FieldName[];
    }
    const t = title as { en: string; 'zh-CN': string };
    return {
      id: d.id as string,
      title: { en: t.en, 'zh-CN': t['zh-CN'] },
      published: d.published as string,
      defaultCountry: d.defaultCountry as CountryCode,
      inputs: (d.inputs as string[]).map((p) => resolve(baseDir, p)),
      phoneColumn: d.phoneColumn as string | undefined,
      fields,
    };
  });
  return {
    key: resolve(baseDir, data.key as string),
    out: resolve(baseDir, data.out as string),
    prefixBits: data.prefixBits as number | undefined,
    datasets,
  };
}

export async function loadBuildConfig(path: string): Promise<BuildConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(code === 'ENOENT' ? `config file not found: ${path}` : `cannot read ${path}: ${code}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  const config = parseBuildConfig(json, dirname(resolve(path)));
  for (const dataset of config.datasets) {
    for (const input of dataset.inputs) {
      const info = await stat(input).catch(() => null);
      if (!info?.isFile()) throw new ConfigError(`input file not found for dataset "${dataset.id}": ${input}`);
    }
  }
  return config;
}
