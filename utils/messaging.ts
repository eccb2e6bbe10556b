import { browser } from 'wxt/browser';
import type { MonitorSummary } from '@/utils/exposure/monitor';
import type { ScamBatchResult } from '@/utils/scam';

/**
 * The one message contract between extension pages and the background.
 * Each key names a request; `request` is what pages send, `response` what the background returns.
 */
export interface MessageContract {
  ping: { request: undefined; response: { version: string; startedAt: number } };
  /** Re-check every watched number now (the popup's "check watched numbers now"). */
  'exposure.recheckNow': { request: undefined; response: MonitorSummary };
  /** Page scanning: check block texts from the content script off the page's main thread. */
  'scam.checkBatch': { request: { texts: string[] }; response: ScamBatchResult[] };
}

export type MessageType = keyof MessageContract;
type Request<K extends MessageType> = MessageContract[K]['request'];
type Response<K extends MessageType> = MessageContract[K]['response'];

interface Envelope<K extends MessageType = MessageType> {
  channel: 'exposure-guard';
  type: K;
  data: Request<K>;
}

type Reply<K extends MessageType> = { ok: true; value: Response<K> } | { ok: false; error: string };

export type MessageHandlers = {
  [K in MessageType]: (data: Request<K>) => Promise<Response<K>> | Response<K>;
};

export async function sendMessage<K extends MessageType>(
  type: K,
  ...[data]: Request<K> extends undefined ? [] : [Request<K>]
): Promise<Response<K>> {
  const envelope: Envelope<K> = { channel: 'exposure-guard', type, data: data as Request<K> };
  const reply = (await browser.runtime.sendMessage(envelope)) as Reply<K> | undefined;
  if (!reply) throw new Error(`No handler answered "${type}"`);
  if (!reply.ok) throw new Error(reply.error);
  return reply.value;
}

function isEnvelope(message: unknown): message is Envelope {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as Envelope).channel === 'exposure-guard' &&
    typeof (message as Envelope).type === 'string'
  );
}

/** Background side: answer every message of the contract; unknown messages are left alone. */
export function registerMessageHandlers(handlers: MessageHandlers): void {
  browser.runtime.onMessage.addListener((message: unknown) => {
    if (!isEnvelope(message) || !(message.type in handlers)) return undefined;
    const handler = handlers[message.type] as (data: unknown) => unknown;
    return Promise.resolve()
      .then(() => handler(message.data))
      .then(
        (value) => ({ ok: true, value }),
        (error: unknown) => ({ ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
  });
}
