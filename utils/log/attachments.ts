import { LogError } from './errors';

/** One screenshot or recording may be at most 10 MiB: a phone screenshot is ~1–3 MiB, a minute of AAC ~1 MiB. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
/** Per contact, so one contact cannot fill the browser's storage quota. */
export const MAX_ATTACHMENTS_PER_CONTACT = 20;

/** Evidence a complaint can use: pictures, sound, video, PDF and plain text; nothing executable. */
const ALLOWED_TYPE =
  /^(image\/(png|jpeg|gif|webp|bmp|heic|heif)|audio\/[a-z0-9.+-]+|video\/(mp4|webm|quicktime|3gpp|ogg)|application\/pdf|text\/plain)$/;

export function isAllowedAttachmentType(type: string): boolean {
  return ALLOWED_TYPE.test(type.toLowerCase().split(';')[0]?.trim() ?? '');
}

/** Throws the coded reason an attachment cannot be added. */
export function checkAttachment(size: number, type: string, liveCount: number): void {
  if (size <= 0) throw new LogError('attachment-empty');
  if (size > MAX_ATTACHMENT_BYTES) throw new LogError('attachment-too-large', { limit: MAX_ATTACHMENT_BYTES });
  if (!isAllowedAttachmentType(type)) throw new LogError('attachment-type-not-allowed');
  if (liveCount >= MAX_ATTACHMENTS_PER_CONTACT) {
    throw new LogError('too-many-attachments', { limit: MAX_ATTACHMENTS_PER_CONTACT });
  }
}

/** A file name safe to show and to put in an export: no path, no control characters, bounded length. */
export function cleanAttachmentName(name: string | undefined, fallback: string): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .replace(/\p{Cc}/gu, '')
    .trim()
    .slice(0, 200);
  return cleaned || fallback;
}
