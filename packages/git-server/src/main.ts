// The in-cluster git server of the secret variant (k8s/secret/git-server.yaml), run from the
// git-sync image: every repository under GIT_SERVER_ROOT over smart HTTP, behind basic
// authentication whose password is read from a file at each request, so that a rotated Secret
// takes effect without a restart. Its settings are few and its own: it depends on no package
// of the workspace, so that the test helpers, which the services' packages use, can use it.
import { readFileSync } from 'node:fs';
import { startGitHttpServer } from './http-server.ts';

const EXIT_BAD_CONFIG = 2;

/** The password as the file holds it now, without the newline `echo` leaves. */
function readPassword(file: string): string {
  const password = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  if (password === '') throw new Error('the file is empty');
  return password;
}

function log(level: 'info' | 'warn', message: string): void {
  process.stdout.write(`${new Date().toISOString()} ${level === 'info' ? '' : 'WARN '}${message}\n`);
}

const problems: string[] = [];
const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') problems.push(`${name} is required`);
  return value ?? '';
};
const root = env('GIT_SERVER_ROOT', '/srv/git');
const port = Number(env('GIT_SERVER_PORT', '8080'));
const username = env('GIT_SERVER_USERNAME');
const passwordFile = env('GIT_SERVER_PASSWORD_FILE');
if (!Number.isInteger(port) || port < 1 || port > 65535)
  problems.push(
    `GIT_SERVER_PORT="${process.env.GIT_SERVER_PORT}" is not valid (accepted: a port, 1 to 65535)`,
  );
if (passwordFile !== '') {
  try {
    readPassword(passwordFile);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    problems.push(`GIT_SERVER_PASSWORD_FILE="${passwordFile}" is not valid (cannot use it: ${reason})`);
  }
}
if (problems.length > 0) {
  for (const problem of problems) process.stderr.write(`git-server: ${problem}\n`);
  process.exit(EXIT_BAD_CONFIG);
}

const server = await startGitHttpServer({
  root,
  host: '0.0.0.0',
  port,
  auth: { username, password: () => readPassword(passwordFile) },
  onRefused: (reason, path) => log('warn', `Refused a request for ${path}: ${reason}`),
});
log('info', `Serving the repositories in ${root} over HTTP on port ${server.port} to user ${username}`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
