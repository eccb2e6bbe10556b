import { browser } from 'wxt/browser';
import type { MonitorSummary } from '@/utils/exposure/monitor';
import type { PageCheckAnswer } from '@/utils/scam';
import { isEnvelope, type MessageRuntime, sendMessageVia } from './messaging-wire';

/**
 * The one message contract between extension pages and the background.
 * Each key names a request; `request` is what pages send, `response` what the background returns.
 */
export interface MessageContract {
  ping: { request: undefined; response: { version: string; startedAt: number } };
  /** Re-check every watched number now (the popup's "check watched numbers now"). */
  'exposure.recheckNow': { request: undefined; response: MonitorSummary };
  /**
   * Page scanning: check block texts from the content script off the page's main thread. The
   * texts travel as one string (utils/scam splitBatchText); only texts that are not safe are answered.
   */
  'scam.checkBatch': { request: { text: string }; response: PageCheckAnswer[] };
  /** Page scanning: the banner's strings (count with "$1"), in the language and text size chosen in Options. */
  'scam.pageText': {
    request: undefined;
    response: { lang: string; largeText: boolean; title: string; count: string; advice: string; dismiss: string };
  };
}

export type MessageType = keyof MessageContract;
type Request<K extends MessageType> = MessageContract[K]['request'];
type Response<K extends MessageType> = MessageContract[K]['response'];

export type MessageHandlers = {
  [K in MessageType]: (data: Request<K>) => Promise<Response<K>> | Response<K>;
};

export function sendMessage<K extends MessageType>(
  type: K,
  ...data: Request<K> extends undefined ? [] : [Request<K>]
): Promise<Response<K>> {
  return sendMessageVia(browser.runtime as MessageRuntime, type, ...data);
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
