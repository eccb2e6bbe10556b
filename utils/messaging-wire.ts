import type { MessageContract, MessageType } from './messaging';

/**
 * The wire format of utils/messaging.ts, with no browser polyfill behind it: the page-scan
 * content script sends through the browser's own runtime, so pages on scanned sites do not pay
 * for evaluating the polyfill.
 */
type Request<K extends MessageType> = MessageContract[K]['request'];
type Response<K extends MessageType> = MessageContract[K]['response'];

export interface Envelope<K extends MessageType = MessageType> {
  channel: 'exposure-guard';
  type: K;
  data: Request<K>;
}

type Reply<K extends MessageType> = { ok: true; value: Response<K> } | { ok: false; error: string };

/** What sending needs of a runtime: browser.runtime, or chrome.runtime where it returns promises. */
export interface MessageRuntime {
  sendMessage(message: unknown): Promise<unknown>;
}

export async function sendMessageVia<K extends MessageType>(
  runtime: MessageRuntime,
  type: K,
  ...[data]: Request<K> extends undefined ? [] : [Request<K>]
): Promise<Response<K>> {
  const envelope: Envelope<K> = { channel: 'exposure-guard', type, data: data as Request<K> };
  const reply = (await runtime.sendMessage(envelope)) as Reply<K> | undefined;
  if (!reply) throw new Error(`No handler answered "${type}"`);
  if (!reply.ok) throw new Error(reply.error);
  return reply.value;
}

export function isEnvelope(message: unknown): message is Envelope {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as Envelope).channel === 'exposure-guard' &&
    typeof (message as Envelope).type === 'string'
  );
}
