import { spawn } from 'node:child_process';
import { formatDuration, type Logger } from '@fortune-sidecar/common';
import type { Hook } from './hook-runner.ts';
import { killGroup, releaseGroup, trackGroup } from './process-groups.ts';

export interface ExecHookOptions {
  /** A program, by path or by a name looked up in PATH; run without a shell and without arguments, as upstream. */
  readonly command: string;
  readonly timeoutMs: number;
  /** The worktree of a commit: the hook's working directory. */
  readonly worktree: (hash: string) => string;
  readonly log: Logger;
}

/**
 * Upstream's exec hook: the command runs in the commit's worktree with GITSYNC_HASH set to the
 * commit. It leads a process group of its own, killed whole at the timeout or when git-sync
 * stops, so that what the hook started in the background does not outlive it.
 */
export function execHook(options: ExecHookOptions): Hook {
  const { command, timeoutMs, log } = options;
  return {
    name: 'exechook',
    run(hash, signal) {
      const cwd = options.worktree(hash);
      log.info('Running the exec hook', { hash, command, timeout: formatDuration(timeoutMs) });
      return new Promise<void>((resolve, reject) => {
        const child = spawn(command, [], {
          cwd,
          env: { ...process.env, GITSYNC_HASH: hash },
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        const keep = (chunk: Buffer) => {
          // The end of the output says why a hook failed; a hook that prints without end must not fill the memory.
          output = (output + chunk.toString('utf8')).slice(-4096);
        };
        child.stdout.on('data', keep);
        child.stderr.on('data', keep);
        let killedFor: string | undefined;
        const kill = (why: string) => {
          killedFor ??= why;
          if (child.pid !== undefined) killGroup(child.pid);
        };
        if (child.pid !== undefined) trackGroup(child.pid);
        const timer = setTimeout(
          () =>
            kill(`it ran longer than ${formatDuration(timeoutMs)} (GITSYNC_EXECHOOK_TIMEOUT) and was killed`),
          timeoutMs,
        );
        const onAbort = () => kill('git-sync is stopping');
        signal.addEventListener('abort', onAbort, { once: true });
        const finish = (error?: Error) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          if (child.pid !== undefined) releaseGroup(child.pid);
          if (error) reject(error);
          else resolve();
        };
        child.on('error', (error) =>
          finish(new Error(`the exec hook ${command} could not start: ${error.message}`)),
        );
        // What the hook left running in its group may hold its output open: it goes when the hook
        // ends, and the outcome is taken once the output is closed.
        child.on('exit', () => {
          if (child.pid !== undefined) killGroup(child.pid);
        });
        child.on('close', (code, exitSignal) => {
          if (killedFor !== undefined) return finish(new Error(`the exec hook ${command}: ${killedFor}`));
          if (code === 0) {
            log.info('The exec hook succeeded', { hash, output: output.trim() });
            return finish();
          }
          const how = code === null ? `was killed by ${exitSignal}` : `exited with ${code}`;
          finish(new Error(`the exec hook ${command} ${how}: ${output.trim() || 'no output'}`));
        });
      });
    },
  };
}
