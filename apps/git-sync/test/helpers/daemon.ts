import { join } from 'node:path';
import { after, before } from 'node:test';
import { createOrigin, type GitServer, startGitDaemon } from '@fortune-sidecar/testing';

/**
 * A git daemon serving `base` for the tests of the describe block this is called in, started
 * before them and stopped after, and for each test a fresh origin it serves and a root of its
 * own, numbered so that no two tests share either.
 */
export function gitDaemonForSuite(base: string) {
  let daemon: GitServer | undefined;
  let count = 0;
  before(async () => {
    daemon = await startGitDaemon(base);
  });
  after(() => daemon?.stop());
  const url = (name: string) => {
    if (daemon === undefined) throw new Error('the git daemon starts before the tests');
    return daemon.url(name);
  };
  return {
    url,
    /** `<prefix>-N.git` served at `url`, and the root `<prefix>-root-N` beside it. */
    async freshOrigin(prefix = 'origin') {
      count += 1;
      const name = `${prefix}-${count}.git`;
      return {
        name,
        url: url(name),
        origin: await createOrigin(base, name),
        root: join(base, `${prefix}-root-${count}`),
      };
    },
  };
}
