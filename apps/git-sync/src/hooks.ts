import { join } from 'node:path';
import { GIT_SYNC_LAYOUT, type Logger } from '@fortune-sidecar/common';
import { execHook } from './exec-hook.ts';
import { type HookRunner, startHookRunner } from './hook-runner.ts';
import type { Synced } from './sync.ts';
import { webhook } from './webhook.ts';

export interface HookSettings {
  readonly root: string;
  readonly exechookCommand?: string | undefined;
  readonly exechookTimeoutMs: number;
  readonly exechookBackoffMs: number;
  readonly webhookUrl?: string | undefined;
  readonly webhookMethod: string;
  readonly webhookSuccessStatus: number;
  readonly webhookTimeoutMs: number;
  readonly webhookBackoffMs: number;
}

export interface Hooks {
  /** Wraps a sync so that each commit it publishes is sent to the hooks, which run beside the loop. */
  afterPublish(sync: (signal: AbortSignal) => Promise<Synced>): (signal: AbortSignal) => Promise<Synced>;
  /** For a one-time sync, as upstream: true once every hook has run, false if one failed its first run. */
  firstResults(): Promise<boolean>;
  stop(): Promise<void>;
}

/** The exec hook and the webhook that the settings ask for, each with a runner of its own. */
export function startHooks(
  settings: HookSettings,
  log: Logger,
  onRun: (name: string, status: 'success' | 'error') => void,
): Hooks {
  const runners: HookRunner[] = [];
  if (settings.exechookCommand !== undefined) {
    runners.push(
      startHookRunner({
        hook: execHook({
          command: settings.exechookCommand,
          timeoutMs: settings.exechookTimeoutMs,
          worktree: (hash) => join(settings.root, GIT_SYNC_LAYOUT.worktrees, hash),
          log,
        }),
        backoffMs: settings.exechookBackoffMs,
        log,
        onRun,
      }),
    );
  }
  if (settings.webhookUrl !== undefined) {
    runners.push(
      startHookRunner({
        hook: webhook({
          url: settings.webhookUrl,
          method: settings.webhookMethod,
          successStatus: settings.webhookSuccessStatus,
          timeoutMs: settings.webhookTimeoutMs,
          log,
        }),
        backoffMs: settings.webhookBackoffMs,
        log,
        onRun,
      }),
    );
  }
  return {
    afterPublish(sync) {
      let synced = false;
      return async (signal) => {
        const result = await sync(signal);
        // As upstream: a restarted git-sync runs the hooks for the commit it finds published, since
        // the one before may have stopped before they ran; the runner skips a commit it has done.
        if (result.changed || !synced) for (const runner of runners) runner.send(result.commit);
        synced = true;
        return result;
      };
    },
    async firstResults() {
      const results = await Promise.all(runners.map((runner) => runner.firstResult));
      return results.every(Boolean);
    },
    async stop() {
      await Promise.all(runners.map((runner) => runner.stop()));
    },
  };
}
