import type { GitServer } from '@fortune-sidecar/testing';
import { createPublisher, type Publisher, type PublisherOptions } from '../../src/publish.ts';
import { createSync, type Synced } from '../../src/sync.ts';

const never = new AbortController().signal;

/**
 * A publisher on `options.root`, recovered as at start, and a sync of the daemon's repository
 * `name` at HEAD with depth 1, never aborted: what each start of git-sync makes of them.
 */
export async function syncFrom(
  daemon: GitServer,
  name: string,
  options: PublisherOptions,
): Promise<{ publisher: Publisher; sync: () => Promise<Synced> }> {
  const publisher = createPublisher(options);
  await publisher.recover();
  const sync = createSync({
    root: options.root,
    fetchUrl: () => daemon.url(name),
    shownUrl: daemon.url(name),
    ref: 'HEAD',
    depth: 1,
    stallTimeoutMs: 60_000,
    publisher,
    log: options.log,
  });
  return { publisher, sync: () => sync(never) };
}
