/** Shapes of the log's IndexedDB rows (tables declared in utils/db.ts). */
import type { KdfParams, SealedText } from './crypto';
import type { LogContact } from './model';

export type { LogContact };

export interface LogAttachmentBytes {
  id: string;
  contactId: string;
  type: string;
  /**
   * Bytes rather than a Blob: the same row shape serves the encrypted log (which needs bytes anyway) and
   * every browser's structured clone; the public API still takes and returns Blobs.
   */
  data: ArrayBuffer;
}

export interface LogSealedRecord {
  /** The contact's or attachment's id; also the AES-GCM additional data, so rows cannot be swapped. */
  id: string;
  kind: 'contact' | 'attachment';
  updatedAt: number;
  iv: Uint8Array;
  data: Uint8Array;
}

export interface LogInboxItem {
  id: string;
  createdAt: number;
  epk: Uint8Array;
  iv: Uint8Array;
  data: Uint8Array;
}

export interface LockConfig {
  version: 1;
  createdAt: number;
  kdf: KdfParams;
  /** The random data key, encrypted with the passphrase key. */
  wrappedDataKey: SealedText;
  /** X25519 public key the popup seals locked-mode entries to. */
  inboxPublicKey: string;
  /** Its secret key, encrypted with the data key. */
  wrappedInboxKey: SealedText;
}

export type LogMetaRecord =
  | { key: 'lock'; value: LockConfig }
  /** Bumped by every write, so open log pages know to refresh. */
  | { key: 'revision'; value: number };
