import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeBadConfiguration, tempDir } from '@fortune-sidecar/testing';
import { KNOWN_VARIABLES } from '../src/config.ts';
import { OLDER_NAMES } from '../src/upstream-names.ts';

const dir = await tempDir();
const password = `hunter2-${randomBytes(6).toString('hex')}`;
await writeFile(join(dir, 'password'), `${password}\n`);
await writeFile(join(dir, 'empty'), '');
await writeFile(join(dir, 'two-lines'), `${password}\nsecond line\n`);
const credentials = { GITSYNC_USERNAME: 'demo', GITSYNC_PASSWORD_FILE: join(dir, 'password') };
// The SSH files are read at start only for an ssh repository, which uses them.
const overSsh = { GITSYNC_REPO: 'ssh://git@git.example.com/site.git' };

describeBadConfiguration('git-sync', {
  baseEnv: { GITSYNC_REPO: 'https://git.example.com/site.git', GITSYNC_ROOT: dir },
  // Upstream's older names are read too: each is tried with a value its setting refuses.
  known: [...KNOWN_VARIABLES, ...OLDER_NAMES.map((older) => older.name)],
  secret: password,
  table: {
    GITSYNC_REPO: [
      null,
      '',
      'not a url',
      { value: `https://demo:${password}@git.example.com/site.git`, with: credentials },
      `ftp://demo:${password}@git.example.com/site.git`,
      'ext::sh -c touch% /tmp/pwned',
      'fd::17',
      'file:///srv/site.git',
      '/srv/site.git',
      'ftp://git.example.com/site.git',
      '-uhttps://git.example.com/site.git',
    ],
    GITSYNC_REF: ['', 'main..other', 'a b', '-d', 'refs/heads/main~1^'],
    GITSYNC_PERIOD: ['', 'often', '1ms', '25h'],
    GITSYNC_DEPTH: ['', 'deep', '-1', '1.5'],
    GITSYNC_ROOT: ['', 'git', '~/git'],
    GITSYNC_LINK: ['', 'site/html', '.html'],
    GITSYNC_ONE_TIME: ['', 'maybe', 'on'],
    GITSYNC_MAX_FAILURES: ['', 'forever', '-2'],
    GITSYNC_HTTP_PORT: ['', 'health', '70000', 'tcp://10.43.0.9:8081'],
    GITSYNC_SYNC_TIMEOUT: ['', 'later', '10ms'],
    GITSYNC_HTTP_STALL_TIMEOUT: ['', 'never', '500ms', '25h'],
    GITSYNC_STALE_WORKTREE_TIMEOUT: ['', 'later', '-1s'],
    GITSYNC_USERNAME: [
      { value: '', with: credentials },
      { value: null, with: { GITSYNC_PASSWORD_FILE: credentials.GITSYNC_PASSWORD_FILE } },
      { value: 'demo', with: { ...credentials, GITSYNC_REPO: 'git://git.example.com/site.git' } },
    ],
    GITSYNC_PASSWORD_FILE: [
      { value: '', with: credentials },
      { value: 'password', with: credentials },
      { value: '/nonexistent/password', with: credentials },
      { value: join(dir, 'empty'), with: credentials },
      { value: join(dir, 'two-lines'), with: credentials },
      { value: null, with: { GITSYNC_USERNAME: 'demo' } },
    ],
    GITSYNC_SSH_KEY_FILE: [
      '',
      'id_ed25519',
      '/etc/git secret/ssh',
      { value: '/nonexistent/ssh', with: { ...overSsh, GITSYNC_SSH_KNOWN_HOSTS: 'false' } },
    ],
    GITSYNC_SSH_KNOWN_HOSTS: ['', 'maybe'],
    GITSYNC_SSH_KNOWN_HOSTS_FILE: [
      '',
      'known_hosts',
      {
        value: '/nonexistent/known_hosts',
        with: { ...overSsh, GITSYNC_SSH_KEY_FILE: join(dir, 'password') },
      },
    ],
    GITSYNC_ALLOW_LOCAL: ['', 'maybe'],
    GITSYNC_TOUCH_FILE: ['', 'signals/', '.', '../outside'],
    GITSYNC_ERROR_FILE: ['', '/tmp/errors/', '..'],
    GITSYNC_SYNC_ON_SIGNAL: ['', 'SIGKILL', 'KILL', '9', 'SIGSTOP', 'TERM', 'SIGNOPE', '0', '999'],
    GITSYNC_EXECHOOK_COMMAND: ['', '/scripts/reload --now'],
    GITSYNC_EXECHOOK_TIMEOUT: ['', 'later', '500ms'],
    GITSYNC_EXECHOOK_BACKOFF: ['', 'soon', '10ms'],
    GITSYNC_WEBHOOK_URL: ['', 'not a url', 'ftp://hooks.example.com/reload'],
    GITSYNC_WEBHOOK_METHOD: ['', 'PO ST', 'POST\r\n'],
    GITSYNC_WEBHOOK_SUCCESS_STATUS: ['', 'ok', '-2', '99', '600', '20.5'],
    GITSYNC_WEBHOOK_TIMEOUT: ['', 'never', '100ms'],
    GITSYNC_WEBHOOK_BACKOFF: ['', 'soon', '0s'],
    GITSYNC_SPARSE_CHECKOUT_FILE: ['', 'sparse-checkout', '/nonexistent/sparse-checkout', dir],
    GITSYNC_SUBMODULES: ['', 'true', 'Recursive', 'none'],
    LOG_FORMAT: ['', 'xml'],
    // Beside GITSYNC_REPO: two values for one setting.
    GIT_SYNC_REPO: ['https://git.example.com/other.git'],
    GIT_SYNC_DEPTH: ['', 'all'],
    GIT_SYNC_SUBMODULES: ['none'],
    GIT_SYNC_SPARSE_CHECKOUT_FILE: ['/nonexistent/sparse-checkout'],
    GIT_SYNC_ROOT: ['git'],
    GIT_SYNC_LINK: ['a/b'],
    GIT_SYNC_ERROR_FILE: ['..'],
    GIT_SYNC_PERIOD: ['10', { value: '1s', with: { GITSYNC_PERIOD: '2s' } }],
    GIT_SYNC_SYNC_TIMEOUT: ['120'],
    GIT_SYNC_ONE_TIME: ['yes'],
    GIT_SYNC_SYNC_ON_SIGNAL: ['SIGKILL'],
    GIT_SYNC_MAX_FAILURES: ['-2'],
    GIT_SYNC_TOUCH_FILE: ['signals/'],
    GIT_SYNC_EXECHOOK_COMMAND: ['/scripts/reload --now'],
    GIT_SYNC_EXECHOOK_TIMEOUT: ['30'],
    GIT_SYNC_EXECHOOK_BACKOFF: ['10ms'],
    GIT_SYNC_WEBHOOK_URL: ['ftp://hooks.example.com/reload'],
    GIT_SYNC_WEBHOOK_METHOD: ['PO ST'],
    GIT_SYNC_WEBHOOK_SUCCESS_STATUS: ['ok'],
    GIT_SYNC_WEBHOOK_TIMEOUT: ['1'],
    GIT_SYNC_WEBHOOK_BACKOFF: ['0s'],
    GIT_SYNC_USERNAME: [
      {
        value: 'demo',
        with: {
          GITSYNC_PASSWORD_FILE: credentials.GITSYNC_PASSWORD_FILE,
          GITSYNC_REPO: 'git://git.example.com/site.git',
        },
      },
    ],
    GIT_SYNC_PASSWORD_FILE: [{ value: join(dir, 'two-lines'), with: { GITSYNC_USERNAME: 'demo' } }],
    GIT_SYNC_SSH_KEY_FILE: [
      { value: '/nonexistent/ssh', with: { ...overSsh, GITSYNC_SSH_KNOWN_HOSTS: 'false' } },
    ],
    GIT_SSH_KEY_FILE: ['id_ed25519'],
    GIT_SYNC_KNOWN_HOSTS: ['yes'],
    GIT_KNOWN_HOSTS: ['2'],
    GIT_SYNC_SSH_KNOWN_HOSTS_FILE: ['known_hosts'],
    GIT_SSH_KNOWN_HOSTS_FILE: ['/etc/git secret/known_hosts'],
    GIT_SYNC_BRANCH: ['main..other', { value: 'main', with: { GIT_SYNC_REV: 'v1.0' } }],
    GIT_SYNC_REV: ['-d'],
    GIT_SYNC_DEST: ['.html'],
    GIT_SYNC_WAIT: ['10s', '0', '-1', { value: '10', with: { GITSYNC_PERIOD: '10s' } }],
    GIT_SYNC_TIMEOUT: ['2m', '0', '1.5'],
    GIT_SYNC_MAX_SYNC_FAILURES: ['forever'],
    GIT_SYNC_HOOK_COMMAND: ['/scripts/reload --now'],
  },
});
