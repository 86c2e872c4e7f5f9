import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createSampleSite } from './sample-site.ts';
import { type RunningService, type ServiceName, startServiceProcess } from './services.ts';

export interface StackOptions {
  /** The folder the services share: the emptyDir of this mode. */
  readonly dir: string;
  readonly withGitSync: boolean;
  /** The user's environment: every service setting in it applies (WEB_PORT, FORTUNE_INTERVAL, ...). */
  readonly env: NodeJS.ProcessEnv;
  readonly onLine: (name: ServiceName, line: string) => void;
}

export interface Stack {
  readonly volume: string;
  readonly sampleRepo: string | undefined;
  readonly services: readonly RunningService[];
  /** Resolves with the name and exit code of the first service that stops. */
  readonly firstExit: Promise<{ name: ServiceName; code: number }>;
  stop(): Promise<void>;
}

/** The link git-sync publishes in the shared folder, served at /site/. */
export const SITE_LINK = 'site';

/**
 * The three services on one machine, sharing one folder as the containers of the pod share
 * their volume: fortune-writer writes into it, git-sync (when asked) publishes a repository
 * into it, and web-server serves it read-only. Settings the stack must own to make the sharing
 * work (the folders) are set here; everything else comes from the user's environment.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const volume = join(options.dir, 'volume');
  await mkdir(volume, { recursive: true });
  const env = (own: NodeJS.ProcessEnv) => ({ ...options.env, ...own });
  // The sample repository first: if it cannot be made (no git), no service has started yet.
  const sampleRepo = options.withGitSync ? join(options.dir, 'sample-site') : undefined;
  if (sampleRepo) await createSampleSite(sampleRepo);
  const services: RunningService[] = [
    startServiceProcess(
      'fortune-writer',
      env({ FORTUNE_DIR: volume, FORTUNE_VARIANT: options.env.FORTUNE_VARIANT ?? 'local' }),
      options.onLine,
    ),
  ];

  if (sampleRepo) {
    services.push(
      startServiceProcess(
        'git-sync',
        env({
          GITSYNC_REPO: sampleRepo,
          GITSYNC_ALLOW_LOCAL: 'true',
          GITSYNC_REF: 'main',
          GITSYNC_ROOT: volume,
          GITSYNC_LINK: SITE_LINK,
          GITSYNC_PERIOD: options.env.GITSYNC_PERIOD ?? '2s',
        }),
        options.onLine,
      ),
    );
  }
  // Local mode listens on loopback unless asked otherwise: this is a demo, not a public server.
  services.push(
    startServiceProcess(
      'web-server',
      env({ WEB_ROOT: volume, WEB_HOST: options.env.WEB_HOST ?? '127.0.0.1' }),
      options.onLine,
    ),
  );

  const firstExit = Promise.race(services.map(async ({ name, exited }) => ({ name, code: await exited })));
  return {
    volume,
    sampleRepo,
    services,
    firstExit,
    async stop() {
      for (const { child } of services)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.all(services.map(({ exited }) => exited));
    },
  };
}
