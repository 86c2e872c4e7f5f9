import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type ServiceName = 'fortune-writer' | 'web-server' | 'git-sync';

const APPS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'apps');

export interface RunningService {
  readonly name: ServiceName;
  readonly child: ChildProcess;
  readonly exited: Promise<number>;
}

/**
 * Starts a service from its built bundle, as its container would, each output line prefixed
 * with its name. Each runs in its own process group: Ctrl-C reaches only the stack, which then
 * stops the services one signal each, the way a kubelet stops a pod's containers.
 */
export function startServiceProcess(
  name: ServiceName,
  env: NodeJS.ProcessEnv,
  onLine: (name: ServiceName, line: string) => void,
): RunningService {
  const child = spawn(process.execPath, [join(APPS, name, 'dist', 'main.js')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(name, line);
    });
  }
  const exited = new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))),
  );
  return { name, child, exited };
}
