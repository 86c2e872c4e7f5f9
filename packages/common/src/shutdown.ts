import type { Logger } from './log.ts';

export interface ShutdownOptions {
  /** After this long the process exits with 1 even if stopping has not finished. */
  readonly timeoutMs?: number;
}

/**
 * Stops the service on SIGTERM (what Kubernetes and Docker send) and SIGINT (Ctrl-C):
 * `stop` finishes the work in progress, then the process exits 0. A second signal, or a
 * stop that hangs, exits at once with 1, so a container never waits for its kill timeout.
 */
export function onShutdown(log: Logger, stop: () => Promise<void>, options: ShutdownOptions = {}): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn(`${signal} received again, exiting now`);
      process.exit(1);
    }
    stopping = true;
    log.info(`${signal} received, shutting down`);
    setTimeout(() => {
      log.error('Shutdown took too long, exiting');
      process.exit(1);
    }, options.timeoutMs ?? 5000).unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('Shutdown failed', { error });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}
