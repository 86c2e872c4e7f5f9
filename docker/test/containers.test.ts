// The images, the scripts that build and push them, and the compose files, on a real Docker
// engine and a real registry on the loopback address: the seed's pod, run as containers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chown, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  assertDocumentedOutput,
  command,
  composeCommand,
  createOrigin,
  documentedNodeImage,
  documentedOutputs,
  eventually,
  freePort,
  type GitServer,
  httpGet,
  imageScriptEnv,
  mustRun,
  type Origin,
  REPO_ROOT,
  type Registry,
  runScript,
  skipUnlessAvailable,
  startGitDaemon,
  startRegistry,
  tempDir,
} from '@fortune-sidecar/testing';

const skip = await skipUnlessAvailable(['docker', 'compose', 'docker-registry', 'debootstrap']);

const IMAGES = ['fortune-writer', 'web-server', 'git-sync'] as const;
type Image = (typeof IMAGES)[number];
const { version: VERSION } = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  version: string;
};
const NODE = await documentedNodeImage();

// Everything this run makes carries its id, so cleanup finds it and nothing else.
const RUN = randomBytes(4).toString('hex');
const LABEL = `fortune-sidecar.test=${RUN}`;
const PREFIX = `fortune-sidecar-test-${RUN}`;
const BASE_IMAGE = imageScriptEnv(PREFIX).BASE_IMAGE ?? '';
const COMPOSE_PROJECT = `fst${RUN}`;
const HARDENED = [
  '--read-only',
  '--cap-drop',
  'ALL',
  '--user',
  '1000:1000',
  '--security-opt',
  'no-new-privileges',
];
const CURL = { accept: '*/*', 'user-agent': 'curl/8.5.0' };
const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

const docker = (...args: string[]) => mustRun('docker', args);
const script = (name: string, env: Record<string, string> = {}) =>
  runScript(name, { ...imageScriptEnv(PREFIX), ...env });
const inspect = async <T>(format: string, target: string): Promise<T> =>
  JSON.parse(await docker('inspect', '--format', `{{json ${format}}}`, target)) as T;

/** What `node --version` prints in an image, whatever its entry point. */
const nodeVersion = (image: string) =>
  docker('run', '--rm', '--label', LABEL, '--entrypoint', 'node', image, '--version');

/**
 * Stops a container as `docker stop` does, with Kubernetes' default grace period of 30 s, and
 * says how it ended. A service that stopped by itself exits 0; one that Docker had to kill at the
 * end of the grace period exits 137, and one killed by the signal itself 143.
 */
async function stop(container: string): Promise<{ exitCode: number; log: string }> {
  await docker('stop', '--time', '30', container);
  return {
    exitCode: await inspect<number>('.State.ExitCode', container),
    log: await docker('logs', container),
  };
}

/** A service stopped by SIGTERM: its own shutdown, logged, then exit code 0. */
async function assertStopsOnSigterm(container: string): Promise<void> {
  const { exitCode, log } = await stop(container);
  assert.match(log, /SIGTERM received, shutting down/, `${container} handles SIGTERM`);
  assert.equal(exitCode, 0, container);
}

/** What the kernel says about a container's main process: its user ids and capabilities. */
async function processStatus(container: string): Promise<{ uid: string; capabilities: string }> {
  const status = await docker('exec', container, 'cat', '/proc/1/status');
  return {
    uid: /^Uid:\s+(.*)$/m.exec(status)?.[1]?.trim() ?? '',
    capabilities: /^CapEff:\s+(\S+)$/m.exec(status)?.[1] ?? '',
  };
}

describe('container images on a real Docker engine and registry', { skip }, () => {
  let registry: Registry;
  const pulled = (image: Image) => `${registry.address}/${PREFIX}/${image}:${VERSION}`;

  before(async () => {
    registry = await startRegistry(await tempDir('fortune-registry-'));
  });

  // Runs even when a step failed, and fails the suite if anything it made is left behind.
  after(async () => {
    const filters = [`label=${LABEL}`, `label=com.docker.compose.project=${COMPOSE_PROJECT}`];
    const leftovers = async () => {
      const found: string[] = [];
      for (const filter of filters) {
        found.push(...lines(await docker('ps', '--all', '--quiet', '--filter', filter)));
        found.push(...lines(await docker('volume', 'ls', '--quiet', '--filter', filter)));
        found.push(...lines(await docker('network', 'ls', '--quiet', '--filter', filter)));
      }
      const images = lines(await docker('images', '--format', '{{.Repository}}:{{.Tag}}'));
      return [...found, ...images.filter((name) => name.includes(PREFIX))];
    };
    // The registry is a child process of this test: left running after a failed step, it would
    // keep the test process from ever exiting.
    try {
      for (const filter of filters) {
        const containers = lines(await docker('ps', '--all', '--quiet', '--filter', filter));
        if (containers.length > 0) await docker('rm', '--force', '--volumes', ...containers);
        const volumes = lines(await docker('volume', 'ls', '--quiet', '--filter', filter));
        if (volumes.length > 0) await docker('volume', 'rm', '--force', ...volumes);
        const networks = lines(await docker('network', 'ls', '--quiet', '--filter', filter));
        if (networks.length > 0) await docker('network', 'rm', ...networks);
      }
      const images = lines(await docker('images', '--format', '{{.Repository}}:{{.Tag}}'));
      const ours = images.filter((name) => name.includes(PREFIX));
      if (ours.length > 0) await docker('rmi', '--force', ...ours);
    } finally {
      await registry?.stop();
    }
    assert.deepEqual(await leftovers(), [], 'containers, volumes, networks or images left behind');
  });

  describe('building and publishing', () => {
    it(`build-base-image.sh makes a base of Node.js ${NODE.version} on Debian ${NODE.suite} for machines without Docker Hub`, async () => {
      const output = await script('build-base-image.sh');
      assert.equal(output.split('\n').at(-1), BASE_IMAGE, 'the last line names the image');
      assert.equal(await nodeVersion(BASE_IMAGE), `v${NODE.version}`);
      assert.match(
        await docker('run', '--rm', '--label', LABEL, BASE_IMAGE, 'cat', '/etc/os-release'),
        new RegExp(`^VERSION_CODENAME=${NODE.suite}$`, 'm'),
      );
      assert.match(
        await docker('run', '--rm', '--label', LABEL, BASE_IMAGE, 'id', 'node'),
        /uid=1000\(node\) gid=1000\(node\)/,
        'a node user with uid 1000, as in the official image',
      );
    });

    it('build-images.sh builds the three images, tagged with the version and the git revision', async () => {
      const output = await script('build-images.sh');
      assert.match(
        output,
        /\(1\/3\) .*fortune-writer:.*\n.*done in \d+ s/,
        'progress: which image, how long',
      );
      for (const image of IMAGES) {
        const tags = await inspect<string[]>('.RepoTags', `${PREFIX}/${image}:${VERSION}`);
        assert.ok(
          tags.some((tag) => /:[0-9a-f]{12}(-dirty)?$/.test(tag)),
          `${image} has a git revision tag: ${tags.join(' ')}`,
        );
      }
    });

    it(`each image runs Node.js ${NODE.version}, the version docs/containers.md names`, async () => {
      for (const image of IMAGES) {
        assert.equal(await nodeVersion(`${PREFIX}/${image}:${VERSION}`), `v${NODE.version}`, image);
      }
    });

    it('adds little to its base image, and docs/containers.md reports how much', async () => {
      const base = await inspect<number>('.Size', BASE_IMAGE);
      const sizes = new Map<Image, number>();
      for (const image of IMAGES) {
        sizes.set(image, (await inspect<number>('.Size', `${PREFIX}/${image}:${VERSION}`)) - base);
      }
      // The writer and the server add their bundle and nothing else.
      assert.ok((sizes.get('fortune-writer') ?? 0) < 2_000_000, 'fortune-writer adds under 2 MB');
      assert.ok((sizes.get('web-server') ?? 0) < 3_000_000, 'web-server adds under 3 MB');
      // Debian's git brings perl; with the OpenSSH client and CA certificates that is about 120 MB.
      assert.ok((sizes.get('git-sync') ?? 0) < 150_000_000, 'git-sync adds git and little else');

      const doc = await readFile(join(REPO_ROOT, 'docs', 'containers.md'), 'utf8');
      for (const [image, bytes] of sizes) {
        const documented = new RegExp(`^\\| ${image} \\| ([\\d.]+) MB \\|$`, 'm').exec(doc)?.[1];
        const measured = bytes / 1_000_000;
        assert.ok(
          documented !== undefined &&
            Math.abs(Number(documented) - measured) <= Math.max(0.5, measured * 0.2),
          `docs/containers.md says ${image} adds ${documented} MB; measured ${measured.toFixed(1)} MB`,
        );
      }
    });

    it('each image runs as uid 1000 and declares its entrypoint, volume, health check, stop signal and OCI labels', async () => {
      const volumes: Record<Image, string> = {
        'fortune-writer': '/var/htdocs',
        'web-server': '/usr/share/fortune/html',
        'git-sync': '/git',
      };
      for (const image of IMAGES) {
        const config = await inspect<{
          User: string;
          Entrypoint: string[];
          StopSignal: string;
          Healthcheck: { Test: string[] };
          Volumes: Record<string, unknown>;
          Labels: Record<string, string>;
        }>('.Config', `${PREFIX}/${image}:${VERSION}`);
        assert.equal(config.User, '1000:1000', image);
        assert.ok(config.Entrypoint.includes('/app/main.js'), `${image} entrypoint in exec form`);
        assert.equal(config.StopSignal, 'SIGTERM', image);
        assert.equal(config.Healthcheck.Test[0], 'CMD', `${image} health check runs node, not a shell tool`);
        assert.deepEqual(Object.keys(config.Volumes), [volumes[image]], image);
        assert.equal(config.Labels['org.opencontainers.image.title'], image);
        assert.equal(config.Labels['org.opencontainers.image.version'], VERSION);
        assert.match(config.Labels['org.opencontainers.image.revision'] ?? '', /^[0-9a-f]{12}/);
        assert.match(config.Labels['org.opencontainers.image.source'] ?? '', /^https:\/\//);
      }
    });

    it('push-images.sh pushes every tag to the registry, and the images pull back from it', async () => {
      const output = await script('push-images.sh', { REGISTRY: registry.address });
      const catalog = (await (await fetch(`http://${registry.address}/v2/_catalog`)).json()) as {
        repositories: string[];
      };
      assert.deepEqual(catalog.repositories.sort(), IMAGES.map((image) => `${PREFIX}/${image}`).sort());
      for (const image of IMAGES) {
        const { tags } = (await (
          await fetch(`http://${registry.address}/v2/${PREFIX}/${image}/tags/list`)
        ).json()) as { tags: string[] };
        assert.equal(tags.length, 2, `${image}: the version and the revision`);
        assert.ok(tags.includes(VERSION));
        // Pull back what was pushed: drop the local copy under the registry's name first.
        await docker('rmi', pulled(image));
        await docker('pull', '--quiet', pulled(image));
        const [digest] = await inspect<string[]>('.RepoDigests', pulled(image));
        assert.ok(digest && output.includes(digest.split('@')[1] ?? '?'), `${image}: pulled what was pushed`);
      }
    });
  });

  describe('the writer and the server sharing a volume, as in the seed', () => {
    const volume = `${PREFIX}-html`;
    const writer = `${PREFIX}-writer`;
    const server = `${PREFIX}-server`;
    let site: string;

    before(async () => {
      await docker('volume', 'create', '--label', LABEL, volume);
      await docker(
        'run',
        '--detach',
        '--name',
        writer,
        '--label',
        LABEL,
        ...HARDENED,
        '--health-interval',
        '1s',
        '--env',
        'FORTUNE_INTERVAL=1s',
        '--volume',
        `${volume}:/var/htdocs`,
        pulled('fortune-writer'),
      );
      await docker(
        'run',
        '--detach',
        '--name',
        server,
        '--label',
        LABEL,
        ...HARDENED,
        '--health-interval',
        '1s',
        '--publish',
        '127.0.0.1::8080',
        '--volume',
        `${volume}:/usr/share/fortune/html:ro`,
        pulled('web-server'),
      );
      site = `http://${await docker('port', server, '8080/tcp')}`;
    });

    it('serves the fortune as plain text to curl and as an HTML page to a browser', async () => {
      const text = await eventually(
        async () => {
          const answer = await httpGet(site, '/', { headers: CURL });
          return answer.status === 200 ? answer : undefined;
        },
        { timeoutMs: 10_000, what: 'the first fortune' },
      );
      assert.match(String(text.headers['content-type']), /^text\/plain/);
      assert.ok(text.body.trim().length > 0);
      const page = await httpGet(site, '/', { headers: BROWSER });
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.match(page.body, /^<!doctype html>/i);
    });

    it('serves a new fortune after the interval', async () => {
      const first = (await httpGet(site, '/', { headers: CURL })).body;
      await eventually(
        async () => ((await httpGet(site, '/', { headers: CURL })).body !== first ? true : undefined),
        { timeoutMs: 5000, what: 'a new fortune' },
      );
    });

    it('the server cannot write to the volume or to its own root filesystem', async () => {
      for (const path of ['/usr/share/fortune/html/intruder.txt', '/app/intruder.txt']) {
        const attempt = await mustRun('docker', [
          'exec',
          server,
          'node',
          '-e',
          `try { require('fs').writeFileSync('${path}', 'x'); console.log('written') } catch (e) { console.log(e.code) }`,
        ]);
        assert.equal(attempt, 'EROFS', path);
      }
    });

    it('both containers run as uid 1000 with no capabilities', async () => {
      for (const container of [writer, server]) {
        const status = await processStatus(container);
        assert.match(status.uid, /^1000\s+1000\s+1000\s+1000$/, container);
        assert.equal(status.capabilities, '0000000000000000', container);
      }
    });

    it("Docker reports both healthy through the images' own health checks", async () => {
      for (const container of [writer, server]) {
        await eventually(
          async () =>
            (await inspect<string>('.State.Health.Status', container)) === 'healthy' ? true : undefined,
          { timeoutMs: 15_000, intervalMs: 250, what: `${container} healthy` },
        );
      }
    });

    it('docker stop: each container shuts itself down on SIGTERM and exits 0, never killed', async () => {
      for (const container of [server, writer]) await assertStopsOnSigterm(container);
    });
  });

  describe('git-sync publishing a repository from a git server on the host', () => {
    const volume = `${PREFIX}-git`;
    const gitSync = `${PREFIX}-git-sync`;
    const server = `${PREFIX}-git-server`;
    let origin: Origin;
    let daemon: GitServer;
    let site: string;
    let health: string;

    before(async () => {
      const dir = await tempDir('fortune-origin-');
      origin = await createOrigin(dir, 'site.git');
      await origin.commit({ 'index.txt': 'revision one\n', 'index.html': '<p>revision one</p>\n' });
      daemon = await startGitDaemon(dir);
      const [healthPort, webPort] = [await freePort(), await freePort()];
      site = `http://127.0.0.1:${webPort}`;
      health = `http://127.0.0.1:${healthPort}`;
      await docker('volume', 'create', '--label', LABEL, volume);
      // The host's network, so that both reach the git server and the test on 127.0.0.1 only.
      await docker(
        'run',
        '--detach',
        '--name',
        gitSync,
        '--label',
        LABEL,
        ...HARDENED,
        '--network',
        'host',
        '--env',
        `GITSYNC_REPO=${daemon.url('site.git')}`,
        '--env',
        'GITSYNC_PERIOD=2s',
        '--env',
        `GITSYNC_HTTP_PORT=${healthPort}`,
        '--volume',
        `${volume}:/git`,
        pulled('git-sync'),
      );
      await docker(
        'run',
        '--detach',
        '--name',
        server,
        '--label',
        LABEL,
        ...HARDENED,
        '--network',
        'host',
        '--env',
        `WEB_PORT=${webPort}`,
        '--env',
        'WEB_HOST=127.0.0.1',
        '--volume',
        `${volume}:/usr/share/fortune/html:ro`,
        pulled('web-server'),
      );
    });
    after(() => daemon?.stop());

    it('serves the checked-out revision through the web server', async () => {
      await eventually(
        async () =>
          (await httpGet(site, '/html/', { headers: CURL })).body === 'revision one\n' ? true : undefined,
        { timeoutMs: 15_000, what: 'the first revision served' },
      );
      assert.equal((await httpGet(site, '/html/', { headers: BROWSER })).body, '<p>revision one</p>\n');
    });

    it('serves a pushed commit at a later sync, and reports it as ready', async () => {
      const commit = await origin.commit({ 'index.txt': 'revision two\n' });
      // How often git-sync syncs is tested on its loop (apps/git-sync/test/sync-loop.test.ts):
      // here the commit must come through at all, and the bound only says when to call it lost.
      await eventually(
        async () =>
          (await httpGet(site, '/html/', { headers: CURL })).body === 'revision two\n' ? true : undefined,
        { timeoutMs: 60_000, intervalMs: 100, what: 'the pushed revision served' },
      );
      const ready = await httpGet(health, '/readyz');
      assert.equal(ready.status, 200);
      assert.match(ready.body, new RegExp(commit));
    });

    it('runs git as uid 1000 under an init process, and shuts itself down on SIGTERM with exit code 0', async () => {
      assert.match((await processStatus(gitSync)).uid, /^1000\s+1000/);
      assert.match(await docker('exec', gitSync, 'cat', '/proc/1/cmdline'), /^tini/);
      for (const container of [gitSync, server]) await assertStopsOnSigterm(container);
    });
  });

  describe('docker/compose.yaml and its volume variants', () => {
    let port: number;
    const composeCall = async (files: string[], env: Record<string, string>, args: string[]) => {
      const [program = 'docker-compose', ...rest] = (await composeCommand()) ?? [];
      return {
        program,
        args: [
          ...rest,
          '--project-name',
          COMPOSE_PROJECT,
          ...files.flatMap((file) => ['--file', join(REPO_ROOT, 'docker', file)]),
          ...args,
        ],
        options: {
          env: {
            ...process.env,
            IMAGE_PREFIX: `${registry.address}/${PREFIX}`,
            TAG: VERSION,
            WEB_PORT: String(port),
            FORTUNE_INTERVAL: '1s',
            ...env,
          },
        },
      };
    };
    const compose = async (files: string[], env: Record<string, string>, ...args: string[]) => {
      const call = await composeCall(files, env, args);
      return mustRun(call.program, call.args, call.options);
    };
    /** Like compose(), for a command expected to fail: its exit code and what it printed. */
    const composeAttempt = async (files: string[], ...args: string[]) => {
      const call = await composeCall(files, {}, args);
      return command(call.program, call.args, call.options);
    };
    const servedFortune = () =>
      eventually(
        async () => {
          const answer = await httpGet(`http://127.0.0.1:${port}`, '/', { headers: CURL });
          return answer.status === 200 && answer.body.trim() ? answer.body : undefined;
        },
        { timeoutMs: 15_000, what: 'a fortune from the compose stack' },
      );
    const writerMount = async () => {
      const mounts = await compose(
        ['compose.yaml'],
        {},
        'exec',
        '-T',
        'html-generator',
        'cat',
        '/proc/mounts',
      );
      return mounts.split('\n').find((line) => line.split(' ')[1] === '/var/htdocs') ?? '';
    };

    before(async () => {
      port = await freePort();
    });

    it('names the images of this version unless TAG says otherwise', async () => {
      const config = await compose(['compose.yaml'], { TAG: '', IMAGE_PREFIX: '' }, 'config');
      assert.match(config, new RegExp(`image: fortune-sidecar/fortune-writer:${VERSION}\\n`));
      assert.match(config, new RegExp(`image: fortune-sidecar/web-server:${VERSION}\\n`));
    });

    it('builds both images from this checkout with compose, on the base NODE_IMAGE names', async () => {
      const env = { IMAGE_PREFIX: `${PREFIX}-compose`, TAG: 'built', NODE_IMAGE: BASE_IMAGE };
      await compose(['compose.yaml'], env, 'build');
      for (const service of ['fortune-writer', 'web-server']) {
        const image = `${PREFIX}-compose/${service}:built`;
        assert.equal(
          await nodeVersion(image),
          await nodeVersion(BASE_IMAGE),
          `${image} runs the base's Node.js`,
        );
        assert.ok((await docker('image', 'inspect', image)).includes('/app/main.js'));
      }
    });

    it('runs the writer and the server on a named volume: curl localhost shows the fortune', async () => {
      await compose(['compose.yaml'], {}, 'up', '--detach');
      try {
        await servedFortune();
        assert.deepEqual(
          lines(
            await docker(
              'volume',
              'ls',
              '--quiet',
              '--filter',
              `label=com.docker.compose.project=${COMPOSE_PROJECT}`,
            ),
          ),
          [`${COMPOSE_PROJECT}_html`],
        );
        assert.match(await writerMount(), /^\S+ \/var\/htdocs \S+ rw/);
      } finally {
        await compose(['compose.yaml'], {}, 'down', '--volumes');
      }
    });

    it('compose.tmpfs.yaml keeps the shared volume in memory', async () => {
      const files = ['compose.yaml', 'compose.tmpfs.yaml'];
      await compose(files, {}, 'up', '--detach');
      try {
        await servedFortune();
        assert.match(await writerMount(), /^tmpfs \/var\/htdocs tmpfs rw/);
        // What the writer saw of the volume it really got: the 16 MiB tmpfs of compose.tmpfs.yaml.
        const seen = JSON.parse((await httpGet(`http://127.0.0.1:${port}`, '/volume.json')).body) as {
          mount: { point: string; type: string; writable: boolean };
          space: { size: number };
        };
        assert.deepEqual(
          { ...seen.mount, size: seen.space.size },
          {
            point: '/var/htdocs',
            type: 'tmpfs',
            writable: true,
            folderIsMountPoint: true,
            size: 16 * 1024 * 1024,
          },
        );
        const page = await httpGet(`http://127.0.0.1:${port}`, '/index.html');
        assert.match(page.body, /<strong>tmpfs, 16 MiB<\/strong>, mounted read-write on this folder/);
      } finally {
        await compose(files, {}, 'down', '--volumes');
      }
    });

    it('compose.tmpfs-full.yaml: the 64 KiB tmpfs fills up, the writer keeps the last fortune, and writes again once there is room', async () => {
      const files = ['compose.yaml', 'compose.tmpfs.yaml', 'compose.tmpfs-full.yaml'];
      const exec = (service: string, ...args: string[]) => compose(files, {}, 'exec', '-T', service, ...args);
      const site = `http://127.0.0.1:${port}`;
      const NO_SPACE =
        'ERROR Could not write fortune, keeping the last one: ENOSPC: no space left on device, write';
      const failedWrites = async () =>
        (await compose(files, {}, 'logs', '--no-color', 'html-generator'))
          .split('\n')
          .filter((line) => line.endsWith(NO_SPACE)).length;
      // The writer's health port is not published: ask from inside its container.
      const readyz = async () =>
        JSON.parse(
          await exec(
            'html-generator',
            'node',
            '-e',
            "fetch('http://127.0.0.1:8081/readyz').then(async (r) => console.log(JSON.stringify({ status: r.status, body: (await r.text()).trim() })))",
          ),
        ) as { status: number; body: string };
      await compose(files, {}, 'up', '--detach');
      try {
        await servedFortune();

        // Both containers see the volume at the size the override gives it, like a sizeLimit.
        const df = await exec('html-generator', 'df', '-h', '/var/htdocs');
        const shown = assertDocumentedOutput('docker-tmpfs-full-df', df);
        assert.match(shown.command, /compose\.tmpfs-full\.yaml exec html-generator df -h \/var\/htdocs$/);
        const [, serverSize] =
          /^tmpfs\s+(\S+)/m.exec(await exec('web-server', 'df', '-h', '/usr/share/fortune/html')) ?? [];
        assert.equal(serverSize, '64K', "the server's mount is the same 64 KiB tmpfs");
        assert.equal(await failedWrites(), 0, 'every write fits while the volume has room');

        // Fill it as the docs show (bounded, so that a volume without its size cannot eat the
        // host's memory): dd stops at the size.
        const filled = await composeAttempt(
          files,
          'exec',
          '-T',
          'html-generator',
          'dd',
          'if=/dev/zero',
          'of=/var/htdocs/filler',
          'bs=4k',
          'count=256',
        );
        assert.notEqual(filled.code, 0, 'dd cannot write 1 MiB into the volume');
        assert.match(filled.stderr, /dd: error writing '\/var\/htdocs\/filler': No space left on device/);

        // From the next fortune on, the writer logs that it keeps the last one.
        await eventually(async () => ((await failedWrites()) >= 1 ? true : undefined), {
          what: `the writer's log to say "${NO_SPACE}"`,
        });
        const last = await httpGet(site, '/', { headers: CURL });
        const lastPage = await httpGet(site, '/', { headers: BROWSER });
        assert.equal(last.status, 200);
        assert.ok(last.body.trim().length > 0, 'a whole fortune is served');
        assert.equal(
          last.body.trim(),
          await exec('web-server', 'cat', '/usr/share/fortune/html/index.txt'),
          "what curl gets is the volume's index.txt",
        );
        assert.match(lastPage.body, /<\/html>\s*$/i, 'a whole page is served');

        // Every answer while the volume stays full is that same fortune, whole, over several failed writes.
        const answers: { text: string; page: string; status: number }[] = [];
        const failedBefore = await failedWrites();
        await eventually(
          async () => {
            const text = await httpGet(site, '/', { headers: CURL });
            const page = await httpGet(site, '/', { headers: BROWSER });
            answers.push({ text: text.body, page: page.body, status: Math.max(text.status, page.status) });
            return (await failedWrites()) >= failedBefore + 3 ? true : undefined;
          },
          { intervalMs: 100, what: 'three more failed writes' },
        );
        for (const answer of answers) {
          assert.equal(answer.status, 200);
          assert.equal(answer.text, last.body, 'curl keeps getting the last fortune written');
          assert.equal(answer.page, lastPage.body, 'the page keeps showing it');
        }

        // The writer stays ready (a restart would not free the volume), and says why its writes fail.
        assert.deepEqual(await readyz(), {
          status: 200,
          body: 'last write failed: ENOSPC: no space left on device, write',
        });
        // And what the docs show, with the command they show.
        const documented = documentedOutputs().get('docker-tmpfs-full-readyz');
        const script = /exec html-generator node -e "(.*)"$/.exec(documented?.command ?? '')?.[1];
        assert.ok(script, 'docs/containers.md asks the writer with node -e "..."');
        assertDocumentedOutput(
          'docker-tmpfs-full-readyz',
          await exec('html-generator', 'node', '-e', script),
        );

        // Room again: the next fortune is written and served, and readiness no longer reports a failure.
        await exec('html-generator', 'rm', '/var/htdocs/filler');
        await eventually(
          async () => {
            const answer = await httpGet(site, '/', { headers: CURL });
            return answer.status === 200 && answer.body.trim() && answer.body !== last.body
              ? true
              : undefined;
          },
          { what: 'a new fortune once the filler is gone' },
        );
        assert.match((await readyz()).body, /^\d+ fortunes written$/);
      } finally {
        await compose(files, {}, 'down', '--volumes');
      }
    });

    it("compose.bind.yaml shares a host folder: the writer's files appear in it", async () => {
      const htdocs = await tempDir('fortune-htdocs-');
      await chown(htdocs, 1000, 1000);
      const files = ['compose.yaml', 'compose.bind.yaml'];
      await compose(files, { HTDOCS: htdocs }, 'up', '--detach');
      try {
        await servedFortune();
        // The writer may rename a new fortune in between: ask until both reads see the same one.
        await eventually(
          async () => {
            const written = await readFile(join(htdocs, 'index.txt'), 'utf8');
            const served = (await httpGet(`http://127.0.0.1:${port}`, '/', { headers: CURL })).body;
            return served === written ? true : undefined;
          },
          { what: 'the served fortune to be the one in the host folder' },
        );
      } finally {
        await compose(files, { HTDOCS: htdocs }, 'down', '--volumes');
      }
    });
  });
});

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}
