// The real manifests, as `kubectl apply -k` sends them (rendered by kubectl's kustomize, which
// names the images in full), run on a real container engine with `podman kube play`, from images
// pushed to a real registry: no Kubernetes cluster runs here, but the pods, their volumes and
// claims do.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chown, mkdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FortuneHistory, VolumeFacts } from '@fortune-sidecar/common';
import {
  assertDocumentedOutput,
  buildAndPushImages,
  command,
  documentedNodeImage,
  eventually,
  freePort,
  git,
  httpGet,
  mustRun,
  type Podman,
  podmanSandbox,
  REPO_ROOT,
  type Registry,
  skipUnlessAvailable,
  startRegistry,
  tempDir,
} from '@fortune-sidecar/testing';
import { parseAllDocuments, stringify } from 'yaml';
import { parseFortuneList } from '../../../apps/fortune-writer/src/fortune-list.ts';
import { downwardApiVolume } from '../../../apps/fortune-writer/test/helpers/downward-api-volume.ts';
import { kustomize, skipUnlessKubectl } from '../kustomize.ts';
import { imageReference, REGISTRY } from '../project-catalog.ts';

const skip =
  (await skipUnlessAvailable(['docker', 'docker-registry', 'debootstrap', 'podman'])) ||
  (await skipUnlessKubectl());

const RUN = randomBytes(4).toString('hex');
const PREFIX = `fortune-sidecar-test-${RUN}`;
const CURL = { accept: '*/*', 'user-agent': 'curl/8.5.0' };
const NODE = await documentedNodeImage();

interface PlayOptions {
  /** A host folder in place of each hostPath: the test writes nowhere but its own folders. */
  hostPath?: string;
  /**
   * A host folder in place of each downwardAPI volume, laid out by the test as the kubelet lays
   * one out: podman 4.3 plays no downwardAPI or projected volume ("HostPath, ConfigMap, EmptyDir,
   * and PersistentVolumeClaim are currently the only supported VolumeSource").
   */
  downwardApi?: string;
}

const renders = new Map<string, Promise<string>>();
/** A variant as `kubectl kustomize k8s/<variant>` renders it, once per run. */
function render(variant: string): Promise<string> {
  let text = renders.get(variant);
  if (!text) {
    text = kustomize(join(REPO_ROOT, 'k8s', variant));
    renders.set(variant, text);
  }
  return text;
}

/**
 * One Pod or PersistentVolumeClaim of a rendered variant, as podman 4.3 can play it, changed only
 * where podman or the test must:
 * - one object at a time: Services, volumes and classes are the cluster's part, and a claim is
 *   played apart from the pod, as podman cannot play a claim twice; a pod comes with the
 *   ConfigMaps its volumes name, which podman makes into named volumes holding their keys;
 * - each container port gets a free hostPort: podman 4.3 publishes every container port on the
 *   host, on the same number unless told otherwise, and those numbers are often taken;
 * - NODE_NAME gets a fixed value: podman has no node, and no `spec.nodeName` for the downward API;
 * - pods with init containers restart only on failure: podman 4.3 also restarts init containers
 *   that succeeded under `restartPolicy: Always`, which Kubernetes never does;
 * - FORTUNE_INTERVAL is 1s instead of 10s, so that a test sees several fortunes quickly;
 * - a secret volume says `optional: false`, which podman 4.3 needs written out.
 */
async function forPodman(
  variant: string,
  name: string,
  options: PlayOptions = {},
): Promise<{ path: string; ports: Map<string, number>; pod?: string }> {
  const ports = new Map<string, number>();
  const objects = parseAllDocuments(await render(variant))
    // biome-ignore lint/suspicious/noExplicitAny: the manifest's own shape, checked by the manifest tests
    .map((document) => document.toJS() as any);
  const object = objects.find(
    (candidate) =>
      (candidate?.kind === 'Pod' || candidate?.kind === 'PersistentVolumeClaim') &&
      candidate.metadata.name === name,
  );
  assert.ok(object, `k8s/${variant} renders a Pod or PersistentVolumeClaim named ${name}`);
  if (object.kind === 'Pod') {
    for (const container of [...(object.spec.initContainers ?? []), ...object.spec.containers]) {
      for (const port of container.ports ?? []) {
        port.hostPort = await freePort();
        ports.set(`${container.name}/${port.name}`, port.hostPort);
      }
      for (const variable of container.env ?? []) {
        if (variable.valueFrom?.fieldRef?.fieldPath === 'spec.nodeName') {
          delete variable.valueFrom;
          variable.value = 'podman';
        }
        if (variable.name === 'FORTUNE_INTERVAL') variable.value = '1s';
      }
    }
    if (object.spec.initContainers) object.spec.restartPolicy = 'OnFailure';
    for (const volume of object.spec.volumes ?? []) {
      if (volume.hostPath && options.hostPath) volume.hostPath.path = options.hostPath;
      // podman 4.3 fails on a secret volume without `optional` (a nil pointer in VolumeFromSecret).
      if (volume.secret) volume.secret.optional ??= false;
      if (volume.downwardAPI && options.downwardApi) {
        delete volume.downwardAPI;
        volume.hostPath = { path: options.downwardApi, type: 'Directory' };
      }
    }
  }
  // podman 4.3 plays a ConfigMap only beside a pod that mounts it, in the same file.
  const configMaps = objects.filter(
    (candidate) =>
      object.kind === 'Pod' &&
      candidate?.kind === 'ConfigMap' &&
      // biome-ignore lint/suspicious/noExplicitAny: as above
      object.spec.volumes?.some((volume: any) => volume.configMap?.name === candidate.metadata.name),
  );
  const path = join(await tempDir('fortune-play-'), `${variant}-${name}.yaml`);
  await writeFile(path, [...configMaps, object].map((document) => stringify(document)).join('---\n'));
  return { path, ports, pod: object.kind === 'Pod' ? name : undefined };
}

describe('the manifests on podman kube play', { skip }, () => {
  let registry: Registry;
  let podman: Podman;

  before(async () => {
    registry = await startRegistry(await tempDir('fortune-registry-'));
    await buildAndPushImages(PREFIX, registry.address);
    podman = await podmanSandbox(await tempDir('fortune-podman-'), {
      from: `${REGISTRY}/fortune-sidecar`,
      to: `${registry.address}/${PREFIX}`,
    });
  });

  after(async () => {
    await podman?.reset();
    await registry?.stop();
    const images = (await mustRun('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}']))
      .split('\n')
      .filter((name) => name.includes(PREFIX));
    if (images.length > 0) await mustRun('docker', ['rmi', '--force', ...images]);
  });

  /**
   * Plays one object of a variant (the pod fortune unless named) and returns the host ports of
   * the containers' named ports.
   */
  async function play(
    variant: string,
    name = 'fortune',
    options?: PlayOptions,
  ): Promise<Map<string, number>> {
    const { path, ports, pod } = await forPodman(variant, name, options);
    // Every variant names its pod fortune: one that failed halfway must not fail the next too.
    if (pod) await podman.run('pod', 'rm', '--force', '--ignore', pod);
    await podman.run('kube', 'play', '--network', podman.network, path);
    return ports;
  }
  /**
   * As `kubectl delete pod` does: SIGTERM, and time to stop (the pods' grace period is 30 s),
   * which podman 4.3's `kube down` alone does not give, so that each service stops as it would
   * in Kubernetes (the writer gives up its lock on the volume).
   */
  async function down(variant: string, name = 'fortune'): Promise<void> {
    const { path, pod } = await forPodman(variant, name);
    if (pod) await podman.run('pod', 'stop', '--ignore', '--time', '30', pod);
    await podman.run('kube', 'down', path);
  }

  const site = (port: number | undefined) => `http://127.0.0.1:${port}`;
  const served = (url: string, path = '/') =>
    eventually(
      async () => {
        const answer = await httpGet(url, path, { headers: CURL });
        return answer.status === 200 && answer.body.trim() !== '' ? answer.body : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: `${url}${path} served` },
    );
  const history = async (url: string) =>
    (JSON.parse(await served(url, '/history.json')) as FortuneHistory).fortunes;
  const historyOfAtLeast = (url: string, count: number) =>
    eventually(
      async () => {
        const fortunes = await history(url);
        return fortunes.length >= count ? fortunes : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200, what: `${count} fortunes in the history` },
    );

  /**
   * The page and volume.json name the filesystem the writer's container really got for its
   * volume, as its own mount table says (`kubectl exec fortune -c html-generator -- cat /proc/mounts`).
   */
  async function assertPageNamesTheMount(url: string): Promise<string> {
    const mounts = await podman.run('exec', 'fortune-html-generator', 'cat', '/proc/mounts');
    const type = mounts
      .split('\n')
      .find((line) => line.split(' ')[1] === '/var/htdocs')
      ?.split(' ')[2];
    assert.ok(type, 'the writer has a mount on /var/htdocs');
    const seen = JSON.parse(await served(url, '/volume.json')) as VolumeFacts;
    assert.equal(seen.mount?.point, '/var/htdocs');
    assert.equal(seen.mount?.type, type, 'volume.json names the filesystem really mounted');
    assert.equal(seen.mount?.writable, true);
    const page = await httpGet(url, '/index.html');
    assert.ok(page.body.includes(`<strong>${type}, `), `the page says ${type}`);
    return type;
  }

  async function assertServerCannotWrite(container: string, mountPath: string) {
    const attempt = await podman.run(
      'exec',
      container,
      'node',
      '-e',
      `try { require('fs').writeFileSync('${mountPath}/intruder', 'x'); console.log('written') } catch (e) { console.log(e.code) }`,
    );
    assert.equal(attempt, 'EROFS', `${container} cannot write to ${mountPath}`);
  }

  it(`the images the manifests name, pulled as the pods pull them, run Node.js ${NODE.version}`, async () => {
    for (const image of ['fortune-writer', 'web-server', 'git-sync']) {
      assert.equal(
        await podman.run(
          'run',
          '--rm',
          '--network',
          'none',
          '--entrypoint',
          'node',
          imageReference(image),
          '--version',
        ),
        `v${NODE.version}`,
        image,
      );
    }
  });

  it('emptydir: serves the fortune read-only, and a new pod starts with an empty history', async () => {
    const ports = await play('emptydir');
    const url = site(ports.get('web-server/http'));
    assert.ok((await served(url)).trim().length > 0);
    await assertServerCannotWrite('fortune-web-server', '/usr/share/fortune/html');
    await assertPageNamesTheMount(url);
    // podman names a pod's container <pod>-<container>: `kubectl exec fortune -c web-server` here.
    const listed = assertDocumentedOutput(
      'emptydir-files',
      await podman.run('exec', 'fortune-web-server', 'ls', '/usr/share/fortune/html'),
    );
    assert.equal(listed.command, 'kubectl exec fortune -c web-server -- ls /usr/share/fortune/html');
    const before = await historyOfAtLeast(url, 3);

    // Like `kubectl delete pod`, `podman kube down` deletes the pod's emptyDir with it.
    await down('emptydir');
    const again = site((await play('emptydir')).get('web-server/http'));
    const after = await history(again);
    assert.ok(after.length < before.length, `history restarted: ${after.length} after ${before.length}`);
    assert.ok(!after.some((fortune) => fortune.writtenAt === before.at(-1)?.writtenAt));
    await down('emptydir');
  });

  it('emptydir-memory: the same pod with its emptyDir in memory plays and serves', async () => {
    // podman 4.3 makes every emptyDir a volume on disk; `medium: Memory` shows only on Kubernetes.
    const ports = await play('emptydir-memory');
    const url = site(ports.get('web-server/http'));
    assert.ok((await served(url)).trim().length > 0);
    await assertServerCannotWrite('fortune-web-server', '/usr/share/fortune/html');
    // The page names the filesystem of podman's volume (that of its storage folder), where
    // Kubernetes gives tmpfs.
    await assertPageNamesTheMount(url);
    await down('emptydir-memory');
  });

  it("configmap: the writer writes the ConfigMap's fortunes, names the list it uses, and reads a new list swapped in as the kubelet swaps it", async () => {
    const configMap = parseAllDocuments(await render('configmap'))
      .map((document) => document.toJS())
      .find((object) => object?.kind === 'ConfigMap') as { data: Record<string, string> };
    const list = parseFortuneList(configMap.data['fortunes.txt'] ?? '');
    const ports = await play('configmap');
    const url = site(ports.get('web-server/http'));
    for (const fortune of await historyOfAtLeast(url, 3)) {
      assert.ok(list.includes(fortune.text), `"${fortune.text}" is one of the ConfigMap's fortunes`);
    }
    const shown = assertDocumentedOutput(
      'configmap-list',
      await podman.run('exec', 'fortune-html-generator', 'cat', '/etc/fortunes/fortunes.txt'),
    );
    assert.equal(shown.command, 'kubectl exec fortune -c html-generator -- cat /etc/fortunes/fortunes.txt');
    const startLog = async () => {
      const lines = (await podman.run('logs', 'fortune-html-generator')).split('\n');
      return lines.slice(0, 4).join('\n');
    };
    const logged = assertDocumentedOutput('configmap-writer-log', await startLog());
    assert.equal(logged.command, 'kubectl logs fortune -c html-generator');

    // podman has no kubelet: it writes the keys as plain files into a named volume, once. The
    // test makes the kubelet's update by hand in that volume's folder, the way the kubelet
    // makes it: the new version in a folder of its own, the file a link through `..data`, and
    // `..data` renamed to point at the next version.
    const folder = await podman.run('volume', 'inspect', '--format', '{{.Mountpoint}}', 'fortune-list');
    const publish = async (version: string, text: string) => {
      await mkdir(join(folder, version));
      await writeFile(join(folder, version, 'fortunes.txt'), text);
      await symlink(version, join(folder, '..data_tmp'));
      await rename(join(folder, '..data_tmp'), join(folder, '..data'));
    };
    await publish('..2026_11_30_10_00_00.000000001', 'Swapped in while the pod runs.\n');
    await symlink('..data/fortunes.txt', join(folder, 'fortunes.txt.tmp'));
    await rename(join(folder, 'fortunes.txt.tmp'), join(folder, 'fortunes.txt'));
    await eventually(
      async () => ((await served(url)) === 'Swapped in while the pod runs.\n' ? true : undefined),
      { what: 'a fortune of the list swapped in' },
    );
    await publish(
      '..2026_11_30_10_01_00.000000002',
      'The kubelet renamed ..data.\nAnd every reader saw it.\n',
    );
    await eventually(
      async () =>
        (await podman.run('logs', 'fortune-html-generator')).includes(
          'Using 2 fortunes from /etc/fortunes/fortunes.txt',
        )
          ? true
          : undefined,
      { what: 'the writer to log the list swapped in by renaming ..data' },
    );
    await down('configmap');
    // podman keeps a ConfigMap's volume after `kube down`, with the swaps made here in it, and
    // would write into it again for the next pod that names a ConfigMap fortune-list.
    await podman.run('volume', 'rm', 'fortune-list');
  });

  it('downwardapi: the page shows a label changed in the volume, while the environment keeps the value it had at start', async () => {
    const pod = parseAllDocuments(await render('downwardapi'))
      .map((document) => document.toJS())
      .find((object) => object?.kind === 'Pod') as {
      metadata: { labels: Record<string, string>; annotations: Record<string, string> };
    };
    const { labels, annotations } = pod.metadata;
    assert.equal(labels['fortune-sidecar/color'], 'blue');
    // What the kubelet would write for this pod, from the manifest's own labels and annotations.
    const volume = await downwardApiVolume({ labels, annotations });
    await chown(volume.dir, 1000, 1000);
    const ports = await play('downwardapi', 'fortune', { downwardApi: volume.dir });
    const url = site(ports.get('web-server/http'));
    const page = async (shows: RegExp) =>
      eventually(
        async () => {
          const answer = await httpGet(url, '/index.html', { headers: CURL });
          return shows.test(answer.body) ? answer.body : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 200, what: `the page showing ${shows}` },
      );
    await page(
      /in the volume now: <strong>blue<\/strong> \/ in the environment since start: <strong>blue<\/strong>/,
    );
    // podman resolves metadata.labels['...'] for the environment as the kubelet does.
    const printenv = ['exec', 'fortune-html-generator', 'printenv', 'FORTUNE_LABEL_AT_START'];
    const before = assertDocumentedOutput('downwardapi-env', await podman.run(...printenv));
    assert.equal(before.command, 'kubectl exec fortune -c html-generator -- printenv FORTUNE_LABEL_AT_START');

    // `kubectl label pod fortune --overwrite fortune-sidecar/color=green`, as the kubelet then
    // writes it: a new version of both files, swapped in by renaming ..data.
    await volume.publish({ labels: { ...labels, 'fortune-sidecar/color': 'green' }, annotations });
    const changed = await page(/in the volume now: <strong>green<\/strong>/);
    assert.match(changed, /in the environment since start: <strong>blue<\/strong>/);
    assert.match(changed, /<dt>fortune-sidecar\/color<\/dt><dd>green<\/dd>/);
    const after = assertDocumentedOutput('downwardapi-env-after-label', await podman.run(...printenv));
    assert.equal(after.command, before.command);
    await down('downwardapi');
  });

  it("hostpath: the writer's files land in the host folder and stay there after the pod is gone", async () => {
    const folder = await tempDir('fortune-hostpath-');
    await chown(folder, 1000, 1000);
    const ports = await play('hostpath', 'fortune', { hostPath: folder });
    const url = site(ports.get('web-server/http'));
    await eventually(
      async () =>
        (await served(url)) === (await readFile(join(folder, 'index.txt'), 'utf8')) ? true : undefined,
      { what: 'the served fortune to be the one in the host folder' },
    );
    // The test's folder stands in for the node's: the documented one is the manifest's hostPath.
    const onNode = assertDocumentedOutput('hostpath-files', await mustRun('ls', [folder]));
    const pod = parseAllDocuments(await render('hostpath'))
      .map((document) => document.toJS())
      .find((object) => object?.kind === 'Pod') as {
      spec: { volumes: { hostPath?: { path: string } }[] };
    };
    const nodeFolder = pod.spec.volumes.find((volume) => volume.hostPath)?.hostPath?.path;
    assert.ok(
      nodeFolder && onNode.command.endsWith(` ls ${nodeFolder}`),
      `${onNode.command} lists the manifest's hostPath ${nodeFolder}`,
    );
    await down('hostpath');
    const kept = JSON.parse(await readFile(join(folder, 'history.json'), 'utf8')) as FortuneHistory;
    assert.ok(kept.fortunes.length >= 1, 'the files outlive the pod');
  });

  it('pv-pvc: the history survives a new pod on the same claim; the claim goes only after the pod', async () => {
    await play('pv-pvc', 'fortune-pvc');
    const url = site((await play('pv-pvc')).get('web-server/http'));
    await assertServerCannotWrite('fortune-web-server', '/usr/share/fortune/html');
    const before = await historyOfAtLeast(url, 3);

    await down('pv-pvc');
    const again = site((await play('pv-pvc')).get('web-server/http'));
    const after = await historyOfAtLeast(again, before.length + 1);
    // The writer logs its schedule only after its first write: wait for the whole start.
    const writerLog = await eventually(
      async () => {
        const lines = (await podman.run('logs', 'fortune-html-generator')).split('\n');
        return lines.length >= 5 ? lines.slice(0, 5).join('\n') : undefined;
      },
      { what: 'the five lines the writer logs at start' },
    );
    const logged = assertDocumentedOutput('pv-pvc-writer-log', writerLog);
    assert.equal(logged.command, 'kubectl logs fortune -c html-generator');
    for (const fortune of before) {
      assert.ok(
        after.some((kept) => kept.writtenAt === fortune.writtenAt && kept.text === fortune.text),
        `kept the fortune of ${fortune.writtenAt}`,
      );
    }

    // Deleting in the wrong order fails, as the seed explains: the pod still uses the claim.
    const early = await podman.attempt('volume', 'rm', 'fortune-pvc');
    assert.notEqual(early.code, 0, 'a claim in use is not removed');
    await down('pv-pvc');
    await podman.run('volume', 'rm', 'fortune-pvc');
  });

  it('git-sync: serves the repository of the in-cluster git server, and a pushed commit at a later sync', async () => {
    const gitPort = (await play('git-sync', 'git-server')).get('git-daemon/git');
    const remote = `git://127.0.0.1:${gitPort}/site.git`;
    await eventually(
      async () => ((await command('git', ['ls-remote', remote])).code === 0 ? true : undefined),
      {
        timeoutMs: 20_000,
        what: 'the git server',
      },
    );
    const url = site((await play('git-sync')).get('web-server/http'));
    assert.equal(await served(url), 'The first page of the site, from git.\n');
    assertDocumentedOutput('git-sync-first-page', await served(url));
    await assertServerCannotWrite('fortune-web-server', '/git');

    const work = join(await tempDir('fortune-clone-'), 'site');
    await git(REPO_ROOT, 'clone', '--quiet', remote, work);
    await writeFile(join(work, 'index.txt'), 'A new page, pushed.\n');
    await git(work, 'commit', '--quiet', '--all', '--message', 'New page');
    await git(work, 'push', '--quiet', 'origin', 'main');
    // How often git-sync syncs is tested on its loop (apps/git-sync/test/sync-loop.test.ts):
    // here the page must come through at all, and the bound only says when to call it lost.
    await eventually(
      async () =>
        (await httpGet(url, '/', { headers: CURL })).body === 'A new page, pushed.\n' ? true : undefined,
      { timeoutMs: 60_000, intervalMs: 100, what: 'the pushed page' },
    );
    assertDocumentedOutput('git-sync-pushed-page', await served(url));
    await down('git-sync');
    await down('git-sync', 'git-server');
  });

  it('secret: git-sync reads its password from a Secret volume, syncs from the git server that asks for it, and takes a new password without a restart', async () => {
    // podman 4.3 makes a secret volume from the podman secret of that name, whose content is a
    // Kubernetes Secret; it writes each key of `data` as it is, without decoding base64, and
    // leaves stringData out. (`kube play` of the Secret itself decodes data to check it, so the
    // volume would hold the base64 text.) The test's copy gives the password under data, as text.
    const secret = parseAllDocuments(await render('secret'))
      .map((document) => document.toJS())
      .find((object) => object?.kind === 'Secret' && object.metadata.name === 'git-credentials');
    assert.ok(secret, 'k8s/secret renders the Secret git-credentials');
    const password: string = secret.stringData.password;
    const forPodmanSecret = join(await tempDir('fortune-secret-'), 'git-credentials.yaml');
    await writeFile(
      forPodmanSecret,
      stringify({ ...secret, stringData: undefined, data: { password: `${password}\n` } }),
    );
    await podman.run('secret', 'create', 'git-credentials', forPodmanSecret);

    const gitPort = (await play('secret', 'git-server')).get('git-http/http');
    const remote = (pass: string) =>
      `http://fortune:${encodeURIComponent(pass)}@127.0.0.1:${gitPort}/site.git`;
    const lsRemote = (url: string) =>
      command('git', ['ls-remote', url], { env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
    await eventually(async () => ((await lsRemote(remote(password))).code === 0 ? true : undefined), {
      timeoutMs: 20_000,
      what: 'the git server',
    });
    assert.notEqual(
      (await lsRemote(`http://127.0.0.1:${gitPort}/site.git`)).code,
      0,
      'no password, no fetch',
    );
    assert.notEqual((await lsRemote(remote('wrong'))).code, 0, 'a wrong password, no fetch');

    const url = site((await play('secret')).get('web-server/http'));
    assert.equal(await served(url), 'The first page of the site, from git.\n');
    assertDocumentedOutput('secret-first-page', await served(url));

    // podman makes the file root's, mode 0644, whatever defaultMode and fsGroup say (the kubelet
    // gives 0440 and the group 1000): uid 1000 reads it either way, and nobody writes to it.
    const stat = await podman.run(
      'exec',
      'fortune-git-sync',
      'stat',
      '-L',
      '-c',
      '%a %U:%G',
      '/etc/git-secret/password',
    );
    assert.equal(stat, '644 root:root');
    assert.equal(await podman.run('exec', 'fortune-git-sync', 'id', '-u'), '1000');
    await assertServerCannotWrite('fortune-git-sync', '/etc/git-secret');
    const logs = await eventually(
      async () => {
        const text = await podman.run('logs', 'fortune-git-sync');
        return text.includes('which is already published') ? text : undefined;
      },
      { timeoutMs: 30_000, what: "the sidecar's first sync" },
    );
    assertDocumentedOutput('secret-git-sync-log', logs);
    assert.ok(!logs.includes(password), 'the password is not in the logs');

    // podman never updates a secret volume: the test rotates the password the way the kubelet
    // would, in the one named volume both pods mount, by renaming a new file over the old.
    const volume = await podman.run('volume', 'inspect', 'git-credentials', '--format', '{{.Mountpoint}}');
    const rotated = 'demo-password-2';
    await writeFile(join(volume, '.password.tmp'), `${rotated}\n`);
    await rename(join(volume, '.password.tmp'), join(volume, 'password'));
    await eventually(async () => ((await lsRemote(remote(password))).code !== 0 ? true : undefined), {
      what: 'the old password refused',
    });

    const work = join(await tempDir('fortune-clone-'), 'site');
    await git(REPO_ROOT, 'clone', '--quiet', remote(rotated), work);
    await writeFile(join(work, 'index.txt'), 'Pushed with the new password.\n');
    await git(work, 'commit', '--quiet', '--all', '--message', 'New page');
    await git(work, 'push', '--quiet', 'origin', 'main');
    // How soon is the loop's business (apps/git-sync/test/http-auth.test.ts): here it must come.
    await eventually(
      async () =>
        (await httpGet(url, '/', { headers: CURL })).body === 'Pushed with the new password.\n'
          ? true
          : undefined,
      { timeoutMs: 60_000, intervalMs: 100, what: 'the page pushed after the rotation' },
    );
    const after = await podman.run('logs', 'fortune-git-sync');
    assert.equal(
      after.match(/ Syncing http:\/\/git-server:8080\/site\.git /g)?.length,
      1,
      'git-sync never restarted',
    );
    assert.ok(!after.includes(rotated), 'the new password is not in the logs');

    await down('secret');
    await down('secret', 'git-server');
    await podman.run('volume', 'rm', 'git-credentials');
    await podman.run('secret', 'rm', 'git-credentials');
  });
});
