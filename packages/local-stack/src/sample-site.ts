import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const git = promisify(execFile);

/** Thrown when the git command line is not on the PATH: the sample site cannot be made. */
export class GitMissingError extends Error {
  constructor() {
    super(
      'npm start -- --git-sync needs git, which is not on the PATH: install it (apt-get install git, brew install git) or start without --git-sync',
    );
    this.name = 'GitMissingError';
  }
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="color-scheme" content="light dark">
  <title>A site kept in sync by git-sync</title>
  <!-- web-server's live updates: this page changes in place when a new revision is published. -->
  <script src="/.live/update.js" defer></script>
</head>
<body>
  <main>
    <h1>A site kept in sync by git-sync</h1>
    <p>This page comes from a git repository. Commit a change to it and git-sync publishes the
    new revision here within one period, without restarting anything; this page shows it
    without a reload.</p>
  </main>
</body>
</html>
`;

/**
 * Creates the git repository that git-sync follows in the local stack: a tiny site with a
 * page for browsers and a text for curl, in one commit on the branch `main`.
 */
export async function createSampleSite(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const run = (...args: string[]) =>
    git('git', args, { cwd: dir }).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' && error.syscall === 'spawn git' ? new GitMissingError() : error;
    });
  await run('init', '--quiet', '--initial-branch=main');
  await writeFile(join(dir, 'index.html'), PAGE);
  await writeFile(
    join(dir, 'index.txt'),
    'A site kept in sync by git-sync: commit a change and watch it appear.\n',
  );
  await run('add', '.');
  await run(
    '-c',
    'user.name=fortune-sidecar',
    '-c',
    'user.email=stack@fortune-sidecar.invalid',
    'commit',
    '--quiet',
    '-m',
    'Sample site',
  );
}
