import { afterEach, describe, expect, it } from 'vitest';
import { addLogEntry, createLogStore, isLogError, type LogError, type LogStore } from '@/utils/log';
import { createTestStore, deleteTestDatabases, TEST_KDF_COST } from './helpers';

afterEach(deleteTestDatabases);

const PASSPHRASE = '我的口令 correct horse';

async function getError(promise: Promise<unknown> | (() => unknown)): Promise<LogError> {
  let error: unknown = null;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (e) {
    error = e;
  }
  if (!isLogError(error)) throw new Error(`expected a LogError, got ${String(error)}`);
  return error;
}

async function seed(store: LogStore) {
  const { contact } = await store.addEntry({ number: '13800138000', name: '催收王', said: '不还钱就曝光你' });
  await store.addAttachment(contact.id, new Blob(['recording-bytes'], { type: 'audio/mp4' }), { name: 'call.m4a' });
  return contact.id;
}

/** Everything stored on disk, as text, to prove no plaintext is left. */
async function dumpDisk(store: LogStore): Promise<string> {
  const db = store.db;
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const rows = [
    ...(await db.logContacts.toArray()),
    ...(await db.logAttachments.toArray()).map((row) => decoder.decode(row.data)),
    ...(await db.logSealed.toArray()).map((row) => decoder.decode(row.data)),
    ...(await db.logInbox.toArray()).map((row) => decoder.decode(row.data)),
    ...(await db.logMeta.toArray()),
  ];
  return JSON.stringify(rows);
}

describe('passphrase lock', () => {
  it('encrypts the log at rest and search works again after unlock', async () => {
    const { store, db } = await createTestStore();
    const id = await seed(store);
    expect(await dumpDisk(store)).toContain('催收王');

    await store.enableLock(PASSPHRASE);
    expect(store.getState()).toBe('unlocked');
    expect(await db.logContacts.count()).toBe(0);
    expect(await db.logAttachments.count()).toBe(0);
    expect(await db.logSealed.count()).toBe(2);
    const disk = await dumpDisk(store);
    for (const secret of ['催收王', '曝光', '13800138000', 'recording-bytes', 'call.m4a']) {
      expect(disk).not.toContain(secret);
    }

    store.lockNow();
    expect(store.getState()).toBe('locked');
    expect((await getError(() => store.search({ text: '催收' }))).code).toBe('locked');

    await store.unlock(PASSPHRASE);
    expect(store.search({ text: '催收' }).ids).toEqual([id]);
    expect(store.search({ text: '138 0013' }).ids).toEqual([id]);
    const contact = store.getContact(id)!;
    const blob = await store.getAttachment(contact.attachments[0]!.id);
    expect(await blob.text()).toBe('recording-bytes');
  });

  it('a wrong passphrase is a coded error and loses nothing', async () => {
    const { store, db } = await createTestStore();
    await seed(store);
    await store.enableLock(PASSPHRASE);
    const sealedBefore = JSON.stringify(await db.logSealed.toArray());
    store.lockNow();
    expect((await getError(store.unlock('wrong passphrase'))).code).toBe('wrong-passphrase');
    expect((await getError(store.unlock(''))).code).toBe('passphrase-required');
    expect(store.getState()).toBe('locked');
    expect(JSON.stringify(await db.logSealed.toArray())).toBe(sealedBefore);
    await store.unlock(PASSPHRASE);
    expect(store.size).toBe(1);
  });

  it('opens in another tab (a fresh store) only with the passphrase', async () => {
    const { store, db } = await createTestStore();
    await seed(store);
    await store.enableLock(PASSPHRASE);
    const other = createLogStore({ db, defaultCountry: 'CN', kdfCost: TEST_KDF_COST });
    expect(await other.open()).toBe('locked');
    expect(other.isLockConfigured()).toBe(true);
    await other.unlock(PASSPHRASE);
    expect(other.search({ text: '曝光' }).total).toBe(1);
  });

  it('refuses short passphrases and double locking', async () => {
    const { store } = await createTestStore();
    const short = await getError(store.enableLock('1234567'));
    expect(short.code).toBe('passphrase-too-short');
    expect(short.limit).toBe(8);
    await store.enableLock(PASSPHRASE);
    expect((await getError(store.enableLock(PASSPHRASE))).code).toBe('already-locked');
  });

  it('keeps working while unlocked: add, edit, delete and undo are sealed too', async () => {
    const { store, db } = await createTestStore();
    const id = await seed(store);
    await store.enableLock(PASSPHRASE);
    const added = await store.addEntry({ number: '+86 138 0013 8000', said: '第二次来电' });
    expect(added.merged).toBe(true);
    await store.updateContact(id, { status: 'reported' });
    const { token } = await store.deleteContacts([id]);
    expect(store.size).toBe(0);
    await store.undoDelete(token);
    expect(JSON.stringify(await db.logSealed.toArray())).not.toContain('第二次来电');

    const other = createLogStore({ db, defaultCountry: 'CN' });
    await other.open();
    await other.unlock(PASSPHRASE);
    const contact = other.getContact(id)!;
    expect(contact).toMatchObject({ count: 2, status: 'reported', deletedAt: null });
  });

  it('lets the popup add to a locked log without the passphrase; merged on unlock', async () => {
    const { store, db } = await createTestStore();
    const id = await seed(store);
    await store.enableLock(PASSPHRASE);
    store.lockNow();
    const queued = await addLogEntry(
      { number: '+8613800138000', said: '锁定时记录的来电', source: 'quick-add' },
      { db, defaultCountry: 'CN' },
    );
    expect(queued).toMatchObject({ queued: true, contactId: null });
    await addLogEntry({ number: '13900139000', said: '新号码' }, { db, defaultCountry: 'CN' });
    expect(await db.logInbox.count()).toBe(2);
    expect(await dumpDisk(store)).not.toContain('锁定时记录的来电');
    expect(await db.logContacts.count()).toBe(0);

    await store.unlock(PASSPHRASE);
    expect(await db.logInbox.count()).toBe(0);
    expect(store.getContact(id)!.count).toBe(2);
    expect(store.search({ text: '新号码' }).total).toBe(1);
  });

  it('an unlocked page picks up the popup’s queued entries on refresh', async () => {
    const { store, db } = await createTestStore();
    await store.enableLock(PASSPHRASE);
    await addLogEntry({ number: '13900139000', said: 'while open' }, { db, defaultCountry: 'CN' });
    expect(store.search({ text: 'while open' }).total).toBe(0);
    await store.refresh();
    expect(store.search({ text: 'while open' }).total).toBe(1);
    expect(await db.logInbox.count()).toBe(0);
  });

  it('changes the passphrase without re-encrypting, and the old one stops working', async () => {
    const { store, db } = await createTestStore();
    await seed(store);
    await store.enableLock(PASSPHRASE);
    const sealedBefore = JSON.stringify(await db.logSealed.toArray());
    expect((await getError(store.changePassphrase('not it at all', 'new passphrase 2'))).code).toBe('wrong-passphrase');
    await store.changePassphrase(PASSPHRASE, 'new passphrase 2');
    expect(JSON.stringify(await db.logSealed.toArray())).toBe(sealedBefore);
    store.lockNow();
    expect((await getError(store.unlock(PASSPHRASE))).code).toBe('wrong-passphrase');
    await store.unlock('new passphrase 2');
    expect(store.size).toBe(1);
  });

  it('turns the lock off and stores everything plain again', async () => {
    const { store, db } = await createTestStore();
    const id = await seed(store);
    await store.enableLock(PASSPHRASE);
    store.lockNow();
    await addLogEntry({ number: '13800138000', said: 'queued' }, { db, defaultCountry: 'CN' });
    expect((await getError(store.disableLock('nope nope nope'))).code).toBe('wrong-passphrase');
    await store.disableLock(PASSPHRASE);
    expect(store.getState()).toBe('plain');
    expect(await db.logSealed.count()).toBe(0);
    expect(await db.logMeta.get('lock')).toBeUndefined();
    const plain = createLogStore({ db, defaultCountry: 'CN' });
    expect(await plain.open()).toBe('plain');
    expect(plain.getContact(id)!.count).toBe(2);
    const attachment = plain.getContact(id)!.attachments[0]!;
    expect(await (await plain.getAttachment(attachment.id)).text()).toBe('recording-bytes');
  });

  it('counts a sealed row altered on disk instead of hiding it or failing the unlock', async () => {
    const { store, db } = await createTestStore();
    await seed(store);
    await store.addEntry({ number: '13900139000' });
    await store.enableLock(PASSPHRASE);
    const [row] = await db.logSealed.where('kind').equals('contact').toArray();
    row!.data[0] = (row!.data[0]! + 1) % 256;
    await db.logSealed.put(row!);
    store.lockNow();
    await store.unlock(PASSPHRASE);
    expect(store.size).toBe(1);
    expect(store.getUnreadableCount()).toBe(1);
  });

  it('another tab sees the lock being set and drops to the locked state', async () => {
    const { store, db } = await createTestStore();
    await seed(store);
    const other = createLogStore({ db, defaultCountry: 'CN' });
    await other.open();
    expect(other.size).toBe(1);
    await store.enableLock(PASSPHRASE);
    await other.refresh();
    expect(other.getState()).toBe('locked');
    expect((await getError(other.addEntry({ number: '1' }))).code).toBe('locked');
  });
});
