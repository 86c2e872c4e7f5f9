import { formatDuration, type Logger } from '@fortune-sidecar/common';
import type { Hook } from './hook-runner.ts';

export interface WebhookOptions {
  readonly url: string;
  readonly method: string;
  /** The status that counts as success; 0: any answer does, as upstream. */
  readonly successStatus: number;
  readonly timeoutMs: number;
  readonly log: Logger;
}

/** The header upstream sends the commit in, so that receivers written for it work unchanged. */
export const HASH_HEADER = 'Gitsync-Hash';

/** Upstream's webhook: a request with no body and the commit in the Gitsync-Hash header. */
export function webhook(options: WebhookOptions): Hook {
  const { url, method, successStatus, timeoutMs, log } = options;
  return {
    name: 'webhook',
    async run(hash, signal) {
      log.info('Calling the webhook', { hash, url, method });
      const timeout = AbortSignal.timeout(timeoutMs);
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: { [HASH_HEADER]: hash },
          signal: AbortSignal.any([signal, timeout]),
        });
        // Read to its end, under the same timeout: a receiver that stalls mid-answer fails like one that never answers.
        const body = await readStart(response, 200);
        if (successStatus > 0 && response.status !== successStatus)
          throw new Error(
            `the webhook answered ${response.status}, not ${successStatus} (GITSYNC_WEBHOOK_SUCCESS_STATUS): ${JSON.stringify(body)}`,
          );
      } catch (error) {
        if (timeout.aborted && !signal.aborted)
          throw new Error(
            `the webhook did not answer within ${formatDuration(timeoutMs)} (GITSYNC_WEBHOOK_TIMEOUT)`,
          );
        throw error;
      }
      log.info('The webhook succeeded', { hash, status: response.status });
    },
  };
}

/** The answer read to its end, keeping only its start: a receiver that answers without end must not fill the memory. */
async function readStart(response: Response, chars: number): Promise<string> {
  const decoder = new TextDecoder();
  let start = '';
  for await (const chunk of response.body ?? [])
    if (start.length < chars) start += decoder.decode(chunk, { stream: true });
  return start.slice(0, chars);
}
