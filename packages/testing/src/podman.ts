import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { command, mustRun } from './containers.ts';

export interface Podman {
  /** Runs podman against this sandbox's own storage, networks and registry mapping. */
  run(...args: string[]): Promise<string>;
  /** Like run(), but returns the result of a failing command instead of throwing. */
  attempt(...args: string[]): ReturnType<typeof command>;
  /** The network every played pod joins: pods find each other by pod name, as through a Service. */
  readonly network: string;
  /** Removes every pod, volume, network and image of the sandbox. */
  reset(): Promise<void>;
}

/**
 * A podman with nothing shared with the machine's own: storage, runtime state and network
 * definitions live under `dir`, and images named `from/...` are pulled from `to/...` (plain
 * HTTP, for a registry on the loopback address).
 */
export async function podmanSandbox(dir: string, mirror: { from: string; to: string }): Promise<Podman> {
  await mkdir(join(dir, 'networks'), { recursive: true });
  const files = {
    containers: join(dir, 'containers.conf'),
    storage: join(dir, 'storage.conf'),
    registries: join(dir, 'registries.conf'),
  };
  await writeFile(
    files.containers,
    [
      // Without CAP_SYS_RESOURCE (as in many CI sandboxes), podman's default rlimits make runc fail.
      '[containers]',
      'default_ulimits = []',
      '[network]',
      `network_config_dir = "${join(dir, 'networks')}"`,
      // Locks in files of the sandbox: the default shared-memory locks are shared with every other
      // podman on the machine, whose lock numbers would clash with these.
      '[engine]',
      `tmp_dir = "${join(dir, 'tmp')}"`,
      'lock_type = "file"',
      '',
    ].join('\n'),
  );
  await writeFile(
    files.storage,
    `[storage]\ndriver = "overlay"\ngraphroot = "${join(dir, 'root')}"\nrunroot = "${join(dir, 'run')}"\n`,
  );
  await writeFile(
    files.registries,
    `[[registry]]\nprefix = "${mirror.from}"\nlocation = "${mirror.to}"\ninsecure = true\n`,
  );
  const env = {
    ...process.env,
    CONTAINERS_CONF: files.containers,
    CONTAINERS_STORAGE_CONF: files.storage,
    CONTAINERS_REGISTRIES_CONF: files.registries,
  };
  const network = `fortune-test-${process.pid}`;
  const run = (...args: string[]) => mustRun('podman', args, { env });
  await run('network', 'create', network);
  return {
    run,
    attempt: (...args: string[]) => command('podman', args, { env }),
    network,
    async reset() {
      await command('podman', ['pod', 'rm', '--all', '--force', '--time', '1'], { env });
      await command('podman', ['system', 'reset', '--force'], { env });
    },
  };
}
