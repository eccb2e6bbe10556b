import { afterEach, describe, expect, it } from 'vitest';
import {
  createLogCsv,
  ENCRYPTED_LOG_FORMAT,
  type ExportedLog,
  isLogError,
  LOG_FORMAT,
  type LogError,
  type LogStore,
  MAX_IMPORT_BYTES,
} from '@/utils/log';
import { createTestStore, deleteTestDatabases } from './helpers';

afterEach(deleteTestDatabases);

async function seed(store: LogStore) {
  const a = await store.addEntry({
    number: '138-0013-8000',
    name: '王经理',
    said: '借款逾期，通知通讯录',
    demanded: '今天转账3000',
    scripts: ['contacts-threat'],
    risk: 'high',
    tags: ['网贷'],
  });
  await store.addEntry({ number: '+86 138 0013 8000', channel: 'sms', said: '最后通牒' });
  await store.addAttachment(a.contact.id, new Blob([new Uint8Array([1, 2, 3, 250])], { type: 'image/png' }), {
    name: 'sms.png',
  });
  const b = await store.addEntry({ number: '95555', name: 'Fake bank', said: 'card frozen', channel: 'call' });
  return { a: a.contact.id, b: b.contact.id };
}

async function getCode(promise: Promise<unknown>): Promise<LogError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isLogError(error)) throw new Error(`expected a LogError, got ${String(error)}`);
  return error;
}

describe('JSON export', () => {
  it('writes the versioned format with timeline and attachments inline', async () => {
    const { store } = await createTestStore();
    await seed(store);
    const doc = JSON.parse(await store.exportJson()) as ExportedLog;
    expect(doc.format).toBe(LOG_FORMAT);
    expect(doc.version).toBe(1);
    expect(doc.contacts).toHaveLength(2);
    const loan = doc.contacts.find((contact) => contact.name === '王经理')!;
    expect(loan.number).toEqual({ input: '138-0013-8000', e164: '+8613800138000', national: '138 0013 8000' });
    expect(loan.count).toBe(2);
    expect(loan.events.map((event) => event.said)).toEqual(['借款逾期，通知通讯录', '最后通牒']);
    expect(loan.events[0]!.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(loan.attachments).toEqual([
      expect.objectContaining({ name: 'sms.png', type: 'image/png', size: 4, data: 'AQID+g==' }),
    ]);
  });

  it('leaves the trash out', async () => {
    const { store } = await createTestStore();
    const { b } = await seed(store);
    await store.deleteContacts([b]);
    const doc = JSON.parse(await store.exportJson()) as ExportedLog;
    expect(doc.contacts.map((contact) => contact.name)).toEqual(['王经理']);
  });
});

describe('JSON import', () => {
  it('re-imports into an empty profile and finds everything intact', async () => {
    const { store } = await createTestStore();
    await seed(store);
    const text = await store.exportJson();

    const { store: fresh } = await createTestStore();
    const result = await fresh.importText(text);
    expect(result).toEqual({ contacts: 2, created: 2, merged: 0, eventsAdded: 3, attachmentsAdded: 1 });
    expect(fresh.search({ text: '138 0013' }).total).toBe(1);
    const contact = fresh.findByNumber('13800138000')!;
    expect(contact.count).toBe(2);
    expect(contact.scripts).toEqual(['contacts-threat']);
    const blob = await fresh.getAttachment(contact.attachments[0]!.id);
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([1, 2, 3, 250]);
    // And the round trip is stable: exporting again gives the same contacts.
    const again = JSON.parse(await fresh.exportJson()) as ExportedLog;
    const original = JSON.parse(text) as ExportedLog;
    expect(again.contacts.map(({ updatedAt: _, ...rest }) => rest)).toEqual(
      original.contacts.map(({ updatedAt: _, ...rest }) => rest),
    );
  });

  it('merges by number and de-duplicates events by id when the same backup is imported twice', async () => {
    const { store } = await createTestStore();
    await seed(store);
    const text = await store.exportJson();
    const before = await store.db.logContacts.toArray();
    const result = await store.importText(text);
    expect(result).toMatchObject({ created: 0, merged: 2, eventsAdded: 0, attachmentsAdded: 0 });
    // Nothing changed, so nothing was rewritten.
    expect(await store.db.logContacts.toArray()).toEqual(before);
    expect(store.size).toBe(2);
    expect(store.findByNumber('13800138000')!.count).toBe(2);
    expect(store.findByNumber('13800138000')!.attachments).toHaveLength(1);
  });

  it('merges a family member’s log: new events join the contact with the same number', async () => {
    const { store: mine } = await createTestStore();
    await seed(mine);
    const { store: theirs } = await createTestStore();
    await theirs.addEntry({ number: '+8613800138000', said: '又打来了', status: 'reported', tags: ['家人记录'] });
    await theirs.addEntry({ number: '13900139000', said: 'new caller' });
    const result = await mine.importText(await theirs.exportJson());
    expect(result).toMatchObject({ contacts: 2, created: 1, merged: 1, eventsAdded: 2 });
    const merged = mine.findByNumber('138 0013 8000')!;
    expect(merged.count).toBe(3);
    expect(merged.status).toBe('reported');
    expect(merged.tags).toEqual(['网贷', '家人记录']);
    expect(mine.size).toBe(3);
  });

  describe('refuses bad files with a code and changes nothing', () => {
    async function expectRefused(text: string, code: string, path?: string) {
      const { store, db } = await createTestStore();
      await seed(store);
      const before = JSON.stringify(await db.logContacts.orderBy('id').toArray());
      const error = await getCode(store.importText(text));
      expect(error.code).toBe(code);
      if (path !== undefined) expect(error.path).toBe(path);
      expect(JSON.stringify(await db.logContacts.orderBy('id').toArray())).toBe(before);
      expect(await db.logAttachments.count()).toBe(1);
      return error;
    }

    async function validExport(): Promise<ExportedLog> {
      const { store } = await createTestStore();
      await seed(store);
      return JSON.parse(await store.exportJson()) as ExportedLog;
    }

    it('not-json: garbage and a truncated file', async () => {
      await expectRefused('this is not json', 'not-json');
      const text = JSON.stringify(await validExport());
      await expectRefused(text.slice(0, Math.floor(text.length / 2)), 'not-json');
    });

    it('wrong-format: other JSON', async () => {
      await expectRefused('[1,2,3]', 'wrong-format');
      await expectRefused('{"format":"something-else","version":1}', 'wrong-format');
      await expectRefused(`{"format":"${LOG_FORMAT}","version":"1"}`, 'wrong-format', 'version');
    });

    it('unsupported-version: a newer format', async () => {
      await expectRefused(`{"format":"${LOG_FORMAT}","version":2,"contacts":[]}`, 'unsupported-version');
    });

    it('invalid-record: names the path of the first bad field', async () => {
      const doc = await validExport();
      (doc.contacts[1]!.events[0] as unknown as Record<string, unknown>).at = 'yesterday';
      await expectRefused(JSON.stringify(doc), 'invalid-record', 'contacts[1].events[0].at');

      const bad = await validExport();
      (bad.contacts[0] as unknown as Record<string, unknown>).status = 'hacked';
      await expectRefused(JSON.stringify(bad), 'invalid-record', 'contacts[0].status');

      const badNumber = await validExport();
      badNumber.contacts[0]!.number.e164 = '12345';
      await expectRefused(JSON.stringify(badNumber), 'invalid-record', 'contacts[0].number.e164');

      await expectRefused(`{"format":"${LOG_FORMAT}","version":1}`, 'invalid-record', 'contacts');
    });

    it('invalid-record: a good file with one bad record at the end still imports nothing', async () => {
      const doc = await validExport();
      const extra = structuredClone(doc.contacts[0]!);
      extra.id = 'another';
      extra.number = { input: '13700137000', e164: '+8613700137000', national: null };
      extra.events[0]!.said = 'x'.repeat(20_001);
      doc.contacts.unshift({
        ...structuredClone(doc.contacts[1]!),
        id: 'first-new',
        number: { input: '1', e164: null, national: null },
      });
      doc.contacts.push(extra);
      await expectRefused(JSON.stringify(doc), 'invalid-record', 'contacts[3].events[0].said');
    });

    it('invalid-record: hostile attachment data and types', async () => {
      const doc = await validExport();
      doc.contacts[0]!.attachments[0]!.data = '%%%not base64%%%';
      await expectRefused(JSON.stringify(doc), 'invalid-record', 'contacts[0].attachments[0].data');
      const exe = await validExport();
      exe.contacts[0]!.attachments[0]!.type = 'application/x-msdownload';
      await expectRefused(JSON.stringify(exe), 'invalid-record', 'contacts[0].attachments[0].type');
    });

    it('duplicate-id: two contacts with one id', async () => {
      const doc = await validExport();
      doc.contacts[1]!.id = doc.contacts[0]!.id;
      await expectRefused(JSON.stringify(doc), 'duplicate-id', 'contacts[1].id');
    });

    it('ignores unknown fields and prototype tricks', async () => {
      const doc = await validExport();
      const text = JSON.stringify(doc).replace(
        '"name":"王经理"',
        '"name":"王经理","__proto__":{"polluted":true},"extra":1',
      );
      const { store } = await createTestStore();
      await store.importText(text);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.keys(store.findByNumber('13800138000')!)).not.toContain('extra');
    });

    it('too-large: over the size limit', async () => {
      const { store } = await createTestStore();
      const error = await getCode(store.importFile({ size: MAX_IMPORT_BYTES + 1 } as Blob));
      expect(error.code).toBe('too-large');
      expect(error.limit).toBe(MAX_IMPORT_BYTES);
    });

    it('passphrase-required and wrong-passphrase for an encrypted backup', async () => {
      const { store } = await createTestStore();
      await seed(store);
      const backup = await store.exportEncrypted('correct horse battery');
      expect(JSON.parse(backup).format).toBe(ENCRYPTED_LOG_FORMAT);
      await expectRefused(backup, 'passphrase-required');
      const { store: other, db } = await createTestStore();
      const error = await getCode(other.importText(backup, { passphrase: 'wrong passphrase!' }));
      expect(error.code).toBe('wrong-passphrase');
      expect(await db.logContacts.count()).toBe(0);
    });
  });

  it('imports an encrypted backup with the passphrase (a family member in another browser)', async () => {
    const { store } = await createTestStore();
    await seed(store);
    const backup = await store.exportEncrypted('家人共享的口令2025');
    expect(backup).not.toContain('王经理');
    expect(backup).not.toContain('13800138000');
    const { store: family } = await createTestStore();
    const result = await family.importText(backup, { passphrase: '家人共享的口令2025' });
    expect(result.created).toBe(2);
    expect(family.search({ text: '通讯录' }).total).toBe(1);
  });
});

describe('CSV export', () => {
  it('has a BOM, quotes properly, and defuses formulas', async () => {
    const { store } = await createTestStore();
    await store.addEntry({
      number: '13800138000',
      name: 'Li, "manager"',
      said: '第一行\n第二行',
      notes: '=HYPERLINK("http://evil")',
    });
    const csv = createLogCsv(store.getLiveContacts(), { headers: { name: '名称' } });
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const [header, row] = csv.slice(1).split('\r\n');
    expect(header).toBe(
      'e164,numberAsEntered,名称,channel,firstAt,lastAt,count,status,risk,scripts,tags,said,demanded,notes',
    );
    expect(row).toContain(`"Li, ""manager"""`);
    expect(csv).toContain('"第一行\n第二行"');
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(row!.startsWith("'+8613800138000,13800138000,")).toBe(true);
  });

  it('writes one row per event on request, with localised labels', async () => {
    const { store } = await createTestStore();
    await store.addEntry({ number: '13800138000', said: 'one', channel: 'sms' });
    await store.addEntry({ number: '13800138000', said: 'two', channel: 'call' });
    const csv = createLogCsv(store.getLiveContacts(), {
      rows: 'events',
      labels: { sms: '短信', call: '电话' },
      formatTime: (ms) => String(ms),
    });
    const lines = csv.slice(1).trim().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(',短信,one,');
    expect(lines[2]).toContain(',电话,two,');
  });
});
