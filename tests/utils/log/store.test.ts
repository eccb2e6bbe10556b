import { afterEach, describe, expect, it } from 'vitest';
import {
  addLogEntry,
  createLogStore,
  isLogError,
  LogError,
  MAX_ATTACHMENT_BYTES,
  MAX_ATTACHMENTS_PER_CONTACT,
  saveScamCheckToLog,
} from '@/utils/log';
import { createTestStore, deleteTestDatabases } from './helpers';

afterEach(deleteTestDatabases);

async function expectCode(promise: Promise<unknown>, code: string) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isLogError(error), String(error)).toBe(true);
  expect((error as LogError).code).toBe(code);
  return error as LogError;
}

describe('adding and merging by number', () => {
  it('three calls from one number in different formats make one contact with three events', async () => {
    const { store } = await createTestStore();
    const first = await store.addEntry({ number: '138-0013-8000', channel: 'call', said: '你的网贷逾期了' });
    const second = await store.addEntry({ number: '+86 138 0013 8000', channel: 'sms', said: '今天必须还款' });
    const third = await store.addEntry({ number: '008613800138000', channel: 'call', demanded: '转账5000元' });

    expect(first.merged).toBe(false);
    expect(second.merged).toBe(true);
    expect(third.merged).toBe(true);
    expect(store.size).toBe(1);
    const contact = store.getContact(first.contact.id)!;
    expect(contact.number.e164).toBe('+8613800138000');
    expect(contact.numberKey).toBe('+8613800138000');
    expect(contact.count).toBe(3);
    expect(contact.events.map((event) => event.numberInput)).toEqual([
      '138-0013-8000',
      '+86 138 0013 8000',
      '008613800138000',
    ]);
    expect(contact.numberInputs).toHaveLength(3);
    expect(contact.firstAt).toBe(contact.events[0]!.at);
    expect(contact.lastAt).toBe(contact.events[2]!.at);
    expect(contact.channel).toBe('call');
    expect(contact.said).toBe('你的网贷逾期了');
    expect(contact.demanded).toBe('转账5000元');
  });

  it('keeps numbers that do not normalise as entered and merges them by their digits', async () => {
    const { store } = await createTestStore();
    const a = await store.addEntry({ number: '95 555', said: 'claims to be the bank' });
    const b = await store.addEntry({ number: '95555' });
    expect(a.contact.number).toEqual({ input: '95 555', e164: null, national: null });
    expect(b.merged).toBe(true);
    expect(store.getContact(a.contact.id)!.count).toBe(2);
  });

  it('needs a number or a name, and caps text length', async () => {
    const { store } = await createTestStore();
    await expectCode(store.addEntry({ number: '  ' }), 'number-required');
    await expectCode(store.addEntry({ number: '1', said: 'x'.repeat(20_001) }), 'text-too-long');
    const anon = await store.addEntry({ number: '', name: 'WeChat user "Manager Li"' });
    const anon2 = await store.addEntry({ number: '', name: 'WeChat user "Manager Li"' });
    expect(anon2.merged).toBe(false);
    expect(anon.contact.numberKey).toBe(`anon:${anon.contact.id}`);
  });

  it('persists: a second store on the same database sees everything', async () => {
    const { store, db } = await createTestStore();
    await store.addEntry({ number: '13800138000', said: 'hello', tags: ['loan'] });
    const again = createLogStore({ db, defaultCountry: 'CN' });
    expect(await again.open()).toBe('plain');
    expect(again.search({ text: 'hello' }).total).toBe(1);
  });

  it('merges the popup quick add (no store loaded) into the contact and other pages catch up', async () => {
    const { store, db } = await createTestStore();
    const added = await store.addEntry({ number: '13800138000' });
    const quick = await addLogEntry(
      { number: '+8613800138000', said: 'popup', source: 'quick-add' },
      {
        db,
        defaultCountry: 'CN',
      },
    );
    expect(quick).toMatchObject({ contactId: added.contact.id, merged: true, queued: false });
    expect(store.getContact(added.contact.id)!.count).toBe(1);
    expect(await store.refresh()).toBe(true);
    expect(store.getContact(added.contact.id)!.count).toBe(2);
    expect(store.search({ text: 'popup' }).ids).toEqual([added.contact.id]);
  });

  it('saves a scam check as an event with its scripts and risk', async () => {
    const { store, db } = await createTestStore();
    await saveScamCheckToLog(
      {
        number: '17012345678',
        text: '您的贷款已逾期，请立即转账',
        scripts: ['overdue-threat', { id: 'transfer-now' }],
        risk: 'high',
      },
      { db, defaultCountry: 'CN' },
    );
    await store.refresh();
    const [id] = store.search({ text: '逾期' }).ids;
    const contact = store.getContact(id!)!;
    expect(contact.scripts).toEqual(['overdue-threat', 'transfer-now']);
    expect(contact.risk).toBe('high');
    expect(contact.events[0]!.source).toBe('scam-check');
    expect(contact.channel).toBe('sms');
  });
});

describe('editing', () => {
  it('updates contact fields and single events, keeping derived fields right', async () => {
    const { store } = await createTestStore();
    const { contact, event } = await store.addEntry({ number: '13800138000', said: 'a' });
    await store.updateContact(contact.id, {
      name: '冒充客服',
      status: 'reported',
      risk: 'high',
      tags: ['loan', 'loan', ' '],
    });
    const updated = await store.updateEvent(contact.id, event.id, { at: Date.UTC(2024, 5, 1), channel: 'chat' });
    expect(updated).toMatchObject({
      name: '冒充客服',
      status: 'reported',
      risk: 'high',
      tags: ['loan'],
      channel: 'chat',
    });
    expect(updated.firstAt).toBe(Date.UTC(2024, 5, 1));
    await expectCode(store.updateContact('nope', { name: 'x' }), 'contact-not-found');
    await expectCode(store.updateEvent(contact.id, 'nope', { said: 'x' }), 'event-not-found');
  });

  it('bulk-updates status and merges two contacts into one', async () => {
    const { store } = await createTestStore();
    const a = await store.addEntry({ number: '13800138000', said: 'one' });
    const b = await store.addEntry({ number: '95555', said: 'two' });
    expect(await store.updateContacts([a.contact.id, b.contact.id], () => ({ status: 'blocked' }))).toBe(2);
    const merged = await store.mergeContacts(a.contact.id, [b.contact.id]);
    expect(merged.count).toBe(2);
    expect(merged.status).toBe('blocked');
    expect(store.size).toBe(1);
    expect(store.search({ text: '95555' }).ids).toEqual([a.contact.id]);
  });
});

describe('delete and undo', () => {
  it('moves contacts to the trash and restores them with the token', async () => {
    const { store, db } = await createTestStore();
    const a = await store.addEntry({ number: '13800138000', said: 'keep me' });
    const b = await store.addEntry({ number: '13900139000' });
    const { token, count } = await store.deleteContacts([a.contact.id, b.contact.id]);
    expect(count).toBe(2);
    expect(store.size).toBe(0);
    expect(store.search({ text: 'keep' }).total).toBe(0);
    expect(store.listDeleted()).toHaveLength(2);
    // Still on disk until the trash is emptied.
    expect(await db.logContacts.count()).toBe(2);

    expect(await store.undoDelete(token)).toEqual({ restored: 2 });
    expect(store.size).toBe(2);
    expect(store.getContact(a.contact.id)!.said).toBe('keep me');
    await expectCode(store.undoDelete('unknown-token'), 'undo-not-found');
  });

  it('merges a restored contact into one logged again for the same number meanwhile', async () => {
    const { store } = await createTestStore();
    const old = await store.addEntry({ number: '13800138000', said: 'first' });
    const { token } = await store.deleteContacts([old.contact.id]);
    const fresh = await store.addEntry({ number: '+8613800138000', said: 'second' });
    expect(fresh.merged).toBe(false);
    await store.undoDelete(token);
    expect(store.size).toBe(1);
    const contact = store.findByNumber('138 0013 8000')!;
    expect(contact.id).toBe(fresh.contact.id);
    expect(contact.count).toBe(2);
    expect(contact.events.map((event) => event.said).sort()).toEqual(['first', 'second']);
  });

  it('deletes and restores a single event', async () => {
    const { store } = await createTestStore();
    const { contact } = await store.addEntry({ number: '13800138000', said: 'one' });
    const second = await store.addEntry({ number: '13800138000', said: 'two' });
    const { token } = await store.deleteEvent(contact.id, second.event.id);
    expect(store.getContact(contact.id)!.count).toBe(1);
    expect(store.search({ text: 'two' }).total).toBe(0);
    await store.undoDelete(token);
    expect(store.getContact(contact.id)!.count).toBe(2);
    expect(store.search({ text: 'two' }).total).toBe(1);
  });

  it('empties the trash only when asked', async () => {
    const { store, db } = await createTestStore();
    const a = await store.addEntry({ number: '13800138000' });
    await store.addAttachment(a.contact.id, new Blob(['png'], { type: 'image/png' }), { name: 'shot.png' });
    await store.deleteContacts([a.contact.id]);
    expect(await db.logAttachments.count()).toBe(1);
    expect(await store.purgeDeleted()).toBe(1);
    expect(await db.logContacts.count()).toBe(0);
    expect(await db.logAttachments.count()).toBe(0);
    expect(store.listDeleted()).toEqual([]);
  });
});

describe('attachments', () => {
  it('stores a screenshot as a Blob and gives it back', async () => {
    const { store } = await createTestStore();
    const { contact } = await store.addEntry({ number: '13800138000' });
    const bytes = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);
    const meta = await store.addAttachment(contact.id, new Blob([bytes], { type: 'image/png' }), {
      name: 'C:\\fakepath\\screen.png',
    });
    expect(meta).toMatchObject({ name: 'screen.png', type: 'image/png', size: 7 });
    const blob = await store.getAttachment(meta.id);
    expect(blob.type).toBe('image/png');
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(bytes);
    expect(store.search({ text: 'screen.png' }).total).toBe(1);
  });

  it('refuses files over the size limit, of other types, empty, or too many — with codes', async () => {
    const { store } = await createTestStore();
    const { contact } = await store.addEntry({ number: '13800138000' });
    const big = new Blob([new Uint8Array(MAX_ATTACHMENT_BYTES + 1)], { type: 'image/png' });
    const tooBig = await expectCode(store.addAttachment(contact.id, big), 'attachment-too-large');
    expect(tooBig.limit).toBe(MAX_ATTACHMENT_BYTES);
    await expectCode(
      store.addAttachment(contact.id, new Blob(['MZ'], { type: 'application/x-msdownload' })),
      'attachment-type-not-allowed',
    );
    await expectCode(store.addAttachment(contact.id, new Blob([], { type: 'image/png' })), 'attachment-empty');
    for (let i = 0; i < MAX_ATTACHMENTS_PER_CONTACT; i++) {
      await store.addAttachment(contact.id, new Blob([String(i)], { type: 'audio/mpeg' }));
    }
    await expectCode(
      store.addAttachment(contact.id, new Blob(['one more'], { type: 'audio/mpeg' })),
      'too-many-attachments',
    );
    expect(store.getContact(contact.id)!.attachments).toHaveLength(MAX_ATTACHMENTS_PER_CONTACT);
  });

  it('deletes an attachment with undo', async () => {
    const { store } = await createTestStore();
    const { contact } = await store.addEntry({ number: '13800138000' });
    const meta = await store.addAttachment(contact.id, new Blob(['x'], { type: 'text/plain' }));
    const { token } = await store.deleteAttachment(contact.id, meta.id);
    expect(store.getContact(contact.id)!.attachments[0]!.deletedAt).not.toBeNull();
    await store.undoDelete(token);
    expect(store.getContact(contact.id)!.attachments[0]!.deletedAt).toBeNull();
  });
});

describe('LogError', () => {
  it('carries code, path and limit', () => {
    const error = new LogError('invalid-record', { path: 'contacts[1].at' });
    expect(error.message).toBe('invalid-record at contacts[1].at');
    expect(isLogError(error, 'invalid-record')).toBe(true);
    expect(isLogError(new Error('x'))).toBe(false);
  });
});
