import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { Transform } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import ExcelJS from 'exceljs';
import { FIELD_NAMES, type FieldName, getFieldBits } from '@/utils/exposure/protocol';

/**
 * Streaming readers for leaked files: CSV/TSV/semicolon (header row, quoted cells, UTF-8 or GB18030),
 * XLSX (first sheet) and plain text (one number per line). Each yields the raw phone cell and the field
 * bitmask of what else that row exposes.
 */

export interface InputRecord {
  phone: string;
  fieldBits: number;
}

export interface InputOptions {
  /** Header name (or 0-based column number) of the phone column; found by header when absent. */
  phoneColumn?: string;
  /** Fields every row of this input exposes; inferred per row from the headers when absent. */
  fields?: readonly string[];
  /** Called for each row that could not be read at all (broken quoting and the like). */
  onMalformedRow?: () => void;
}

export interface InputLayout {
  phoneIndex: number;
  /** Column index -> field, for columns whose header names a known field. */
  fieldColumns: Map<number, FieldName>;
  /** True when the first row was data, not a header. */
  headerless: boolean;
}

export class InputError extends Error {
  override name = 'InputError';
}

/** Header text reduced for matching: lowercase, without spaces, punctuation or brackets. */
export function normalizeHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_\-.·:：()（）[\]【】/\\#*]/g, '');
}

const PHONE_HEADERS = [
  '手机号',
  '手机号码',
  '手机',
  '移动电话',
  '联系电话',
  '电话',
  '电话号码',
  '联系方式',
  '号码',
  '手機',
  '手機號碼',
  '電話',
  'mobile',
  'mobilephone',
  'mobilenumber',
  'mobileno',
  'phone',
  'phonenumber',
  'phoneno',
  'cellphone',
  'cell',
  'tel',
  'telephone',
  'msisdn',
].map(normalizeHeader);

/** Substrings that mark a phone column when no header matches exactly (e.g. "借款人手机号"). */
const PHONE_HEADER_PARTS = ['手机', '电话', 'mobile', 'phone'];
/** Headers that contain a phone word but name someone else's number. */
const NOT_OWN_PHONE_PARTS = ['紧急', '联系人', 'emergency', 'contact', '单位', 'company', 'work'];

const FIELD_HEADERS: Record<Exclude<FieldName, 'phone'>, string[]> = {
  name: [
    '姓名',
    '名字',
    '客户姓名',
    '借款人',
    '借款人姓名',
    '真实姓名',
    '用户姓名',
    'name',
    'fullname',
    'customername',
    'realname',
  ],
  id_number: [
    '身份证',
    '身份证号',
    '身份证号码',
    '证件号',
    '证件号码',
    'idcard',
    'idnumber',
    'idno',
    'nationalid',
    'ssn',
  ],
  loan_amount: [
    '额度',
    '借款金额',
    '贷款金额',
    '借款额度',
    '授信额度',
    '金额',
    '放款金额',
    'loanamount',
    'amount',
    'creditlimit',
  ],
  loan_status: [
    '审批状态',
    '状态',
    '贷款状态',
    '借款状态',
    '还款状态',
    '逾期状态',
    'loanstatus',
    'status',
    'approvalstatus',
    'repaymentstatus',
  ],
  address: ['地址', '住址', '家庭住址', '居住地址', '户籍地址', '现住址', 'address', 'homeaddress', 'addr'],
  contacts: ['通讯录', '紧急联系人', '联系人', '紧急联系人电话', 'contacts', 'emergencycontact', 'contactlist'],
  photos: ['照片', '头像', '身份证照片', '人脸照片', 'photo', 'photos', 'selfie'],
  email: ['邮箱', '电子邮箱', '邮件', 'email', 'mail', 'emailaddress'],
  employer: ['单位', '工作单位', '公司', '公司名称', 'employer', 'company', 'workplace'],
  bank_card: ['银行卡', '银行卡号', '卡号', '银行账号', 'bankcard', 'cardnumber', 'accountnumber', 'bankaccount'],
};
const FIELD_BY_HEADER = new Map<string, FieldName>();
for (const [field, headers] of Object.entries(FIELD_HEADERS)) {
  for (const header of headers) FIELD_BY_HEADER.set(normalizeHeader(header), field as FieldName);
}

const PHONE_BIT = getFieldBits(['phone']);

function looksLikePhoneNumber(cell: string): boolean {
  const digits = cell.replace(/[\s()+\-.]/g, '');
  return /^\d{7,15}$/.test(digits);
}

/** Finds the phone column and the field columns from the first row. */
export function detectLayout(firstRow: readonly string[], phoneColumn?: string): InputLayout {
  const headers = firstRow.map(normalizeHeader);
  let phoneIndex = -1;
  let headerless = false;
  if (phoneColumn !== undefined) {
    phoneIndex = headers.indexOf(normalizeHeader(phoneColumn));
    if (phoneIndex < 0 && /^\d+$/.test(phoneColumn) && Number(phoneColumn) < firstRow.length) {
      phoneIndex = Number(phoneColumn);
      headerless = looksLikePhoneNumber(firstRow[phoneIndex] ?? '');
    }
    if (phoneIndex < 0) {
      throw new InputError(`no column named "${phoneColumn}" (headers: ${firstRow.join(', ')})`);
    }
  } else {
    for (const alias of PHONE_HEADERS) {
      phoneIndex = headers.indexOf(alias);
      if (phoneIndex >= 0) break;
    }
    if (phoneIndex < 0) {
      phoneIndex = headers.findIndex(
        (h) => PHONE_HEADER_PARTS.some((part) => h.includes(part)) && !NOT_OWN_PHONE_PARTS.some((p) => h.includes(p)),
      );
    }
    if (phoneIndex < 0) {
      // No header at all: the first row is data when one of its cells is a number.
      phoneIndex = firstRow.findIndex(looksLikePhoneNumber);
      headerless = phoneIndex >= 0;
    }
    if (phoneIndex < 0) {
      throw new InputError(
        `no phone column found (headers: ${firstRow.join(', ')}); name it 手机号/phone or set "phoneColumn"`,
      );
    }
  }
  const fieldColumns = new Map<number, FieldName>();
  if (!headerless) {
    headers.forEach((header, index) => {
      const field = FIELD_BY_HEADER.get(header);
      if (field && index !== phoneIndex) fieldColumns.set(index, field);
    });
  }
  return { phoneIndex, fieldColumns, headerless };
}

/** The fields a set of headers exposes (for reports), phone included. */
export function getLayoutFields(layout: InputLayout): FieldName[] {
  const fields = new Set<FieldName>(['phone', ...layout.fieldColumns.values()]);
  return FIELD_NAMES.filter((f) => fields.has(f));
}

function rowToRecord(row: readonly string[], layout: InputLayout, fixedFieldBits: number | null): InputRecord {
  const phone = row[layout.phoneIndex] ?? '';
  if (fixedFieldBits !== null) return { phone, fieldBits: fixedFieldBits };
  let fieldBits = PHONE_BIT;
  for (const [index, field] of layout.fieldColumns) {
    if ((row[index] ?? '').trim() !== '') fieldBits |= getFieldBits([field]);
  }
  return { phone, fieldBits: fieldBits >>> 0 };
}

async function readHead(path: string, bytes = 65536): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** UTF-8 unless the head of the file is not valid UTF-8, then GB18030 (what Chinese Excel exports use). */
export function detectEncoding(head: Buffer): 'utf-8' | 'gb18030' {
  // A multi-byte character may be cut at the end of the sample; ignore the last 3 bytes.
  const sample = head.length >= 65536 ? head.subarray(0, head.length - 3) : head;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample);
    return 'utf-8';
  } catch {
    return 'gb18030';
  }
}

/** The delimiter (comma, tab or semicolon) that occurs most often, outside quotes, in the first line. */
export function detectDelimiter(firstLine: string): ',' | '\t' | ';' {
  const counts = { ',': 0, '\t': 0, ';': 0 };
  let quoted = false;
  for (const char of firstLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === ',' || char === '\t' || char === ';')) counts[char]++;
  }
  if (counts['\t'] >= counts[','] && counts['\t'] >= counts[';'] && counts['\t'] > 0) return '\t';
  if (counts[';'] > counts[',']) return ';';
  return ',';
}

function createDecoder(encoding: 'utf-8' | 'gb18030'): Transform {
  const decoder = new TextDecoder(encoding);
  return new Transform({
    readableObjectMode: false,
    transform(chunk: Buffer, _encoding, callback) {
      callback(null, decoder.decode(chunk, { stream: true }));
    },
    flush(callback) {
      callback(null, decoder.decode());
    },
  });
}

function fixedBits(fields: readonly string[] | undefined): number | null {
  return fields ? getFieldBits([...fields, 'phone']) : null;
}

export type InputKind = 'csv' | 'xlsx' | 'text';

export function getInputKind(path: string): InputKind {
  const ext = extname(path).toLowerCase();
  if (ext === '.xlsx') return 'xlsx';
  if (ext === '.txt' || ext === '.lst') return 'text';
  return 'csv';
}

async function* readCsv(path: string, options: InputOptions): AsyncGenerator<InputRecord> {
  const head = await readHead(path);
  const encoding = detectEncoding(head);
  const headText = new TextDecoder(encoding).decode(head).replace(/^\uFEFF/, '');
  const delimiter = detectDelimiter(headText.split(/\r?\n/, 1)[0] ?? '');
  const parser = parseCsv({
    delimiter,
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
  });
  parser.on('skip', () => options.onMalformedRow?.());
  const source = createReadStream(path).pipe(createDecoder(encoding));
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  let layout: InputLayout | null = null;
  const fieldBits = fixedBits(options.fields);
  for await (const row of parser as AsyncIterable<string[]>) {
    if (!layout) {
      layout = detectLayout(row, options.phoneColumn);
      if (!layout.headerless) continue;
    }
    yield rowToRecord(row, layout, fieldBits);
  }
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? value.toFixed(0) : String(value);
  if (typeof value === 'object') {
    const v = value as { text?: unknown; result?: unknown; richText?: { text: string }[] };
    if (Array.isArray(v.richText)) return v.richText.map((part) => part.text).join('');
    if (v.text !== undefined) return cellText(v.text);
    if (v.result !== undefined) return cellText(v.result);
    if (value instanceof Date) return value.toISOString();
  }
  return String(value);
}

async function* readXlsx(path: string, options: InputOptions): AsyncGenerator<InputRecord> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    entries: 'emit',
  });
  let layout: InputLayout | null = null;
  const fieldBits = fixedBits(options.fields);
  for await (const worksheet of workbook) {
    for await (const row of worksheet) {
      // row.values is 1-based with a hole at 0.
      const values = (row.values as unknown[]).slice(1).map(cellText);
      if (values.every((v) => v.trim() === '')) continue;
      if (!layout) {
        layout = detectLayout(values, options.phoneColumn);
        if (!layout.headerless) continue;
      }
      yield rowToRecord(values, layout, fieldBits);
    }
    break; // first sheet only
  }
}

async function* readText(path: string, options: InputOptions): AsyncGenerator<InputRecord> {
  const encoding = detectEncoding(await readHead(path));
  const fieldBits = fixedBits(options.fields) ?? PHONE_BIT;
  let rest = '';
  let first = true;
  for await (const chunk of createReadStream(path).pipe(createDecoder(encoding))) {
    const lines = (rest + (chunk as string)).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      const record = textLine(line, first);
      first = false;
      if (record !== null) yield { phone: record, fieldBits };
    }
  }
  const last = textLine(rest, first);
  if (last !== null) yield { phone: last, fieldBits };
}

/** A line's number, or null for blank lines, # comments and a header-like first line without digits. */
function textLine(line: string, first: boolean): string | null {
  const text = line.replace(/^\uFEFF/, '').trim();
  if (text === '' || text.startsWith('#')) return null;
  if (first && !/\d/.test(text)) return null;
  return text;
}

/** Streams the records of one input file. Throws InputError for an unreadable file or missing phone column. */
export function readInput(path: string, options: InputOptions = {}): AsyncGenerator<InputRecord> {
  const kind = getInputKind(path);
  if (kind === 'xlsx') return readXlsx(path, options);
  if (kind === 'text') return readText(path, options);
  return readCsv(path, options);
}
