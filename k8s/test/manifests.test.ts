// The manifests, checked offline: each folder validates against the Kubernetes schemas and fits
// together, and each shows the volume kind it is named after.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkFolder, loadManifests, type Manifest } from '@fortune-sidecar/manifest-check';
import { REPO_ROOT } from '@fortune-sidecar/testing';
import type { IStorageClass } from 'kubernetes-models/storage.k8s.io/v1/StorageClass';
import type { IContainer, IPod, IService, IVolume } from 'kubernetes-models/v1';
import type { IPersistentVolume } from 'kubernetes-models/v1/PersistentVolume';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { catalog, imageReference } from './project-catalog.ts';

const K8S = join(REPO_ROOT, 'k8s');
const VARIANTS = ['emptydir', 'emptydir-memory', 'git-sync', 'gitrepo', 'hostpath', 'pv-pvc', 'storageclass'];
const lib = await readFile(join(REPO_ROOT, 'scripts', 'lib.sh'), 'utf8');
const AGENT_NODE = `k3d-${/^K3D_CLUSTER=(\S+)$/m.exec(lib)?.[1]}-agent-0`;

async function variant(name: string) {
  const { manifests } = await loadManifests(join(K8S, name));
  const find = <T>(kind: string, objectName?: string) => {
    const found = manifests.find(
      (m) => m.kind === kind && (objectName === undefined || m.name === objectName),
    );
    assert.ok(found, `${name} has a ${kind}${objectName ? ` ${objectName}` : ''}`);
    return found.object as unknown as T;
  };
  const pod = find<IPod>('Pod', 'fortune');
  const container = (containerName: string): IContainer => {
    const found = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find(
      (c) => c.name === containerName,
    );
    assert.ok(found, `${name}: the pod has a container ${containerName}`);
    return found;
  };
  const volume = (volumeName: string): IVolume => {
    const found = pod.spec?.volumes?.find((v) => v.name === volumeName);
    assert.ok(found, `${name}: the pod has a volume ${volumeName}`);
    return found;
  };
  const env = (c: IContainer, variable: string) => c.env?.find((e) => e.name === variable);
  const text = async (file: string) => readFile(join(K8S, name, file), 'utf8');
  return { manifests, find, pod, container, volume, env, text };
}

/** The seed's pod: html-generator writes /var/htdocs, web-server serves the same volume read-only. */
function assertSeedPod(v: Awaited<ReturnType<typeof variant>>): IVolume {
  const writer = v.container('html-generator');
  const server = v.container('web-server');
  assert.equal(writer.image, imageReference('fortune-writer'));
  assert.equal(server.image, imageReference('web-server'));
  const [writes] = writer.volumeMounts ?? [];
  const [reads] = server.volumeMounts ?? [];
  assert.equal(writes?.mountPath, '/var/htdocs');
  assert.notEqual(writes?.readOnly, true);
  assert.equal(reads?.name, writes?.name, 'both mount the same volume');
  assert.equal(reads?.readOnly, true, 'the web server cannot write to it');
  assert.deepEqual(v.env(writer, 'POD_NAME')?.valueFrom?.fieldRef?.fieldPath, 'metadata.name');
  assert.deepEqual(v.env(writer, 'NODE_NAME')?.valueFrom?.fieldRef?.fieldPath, 'spec.nodeName');
  assert.deepEqual(
    v.env(writer, 'FORTUNE_VARIANT')?.valueFrom?.fieldRef?.fieldPath,
    "metadata.labels['fortune-sidecar/variant']",
    'the page names the variant from the pod label',
  );
  return v.volume(writes?.name ?? '');
}

describe('Kubernetes manifests', () => {
  it('has one folder per volume kind of the seed', async () => {
    const folders = (await readdir(K8S, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory() && entry.name !== 'test')
      .map((entry) => entry.name)
      .sort();
    assert.deepEqual(folders, VARIANTS);
  });

  for (const name of VARIANTS) {
    it(`${name}: validates against the Kubernetes schemas, and its objects, images and settings fit together`, async () => {
      const problems = await checkFolder(join(K8S, name), catalog);
      assert.deepEqual(
        problems.map((p) => `${p.file} ${p.object}: ${p.message}`),
        [],
      );
    });
  }

  it('each folder has a Service for the web server, for kubectl port-forward svc/fortune 8080:80', async () => {
    for (const name of VARIANTS) {
      const service = (await variant(name)).find<IService>('Service', 'fortune');
      assert.deepEqual(service.spec?.ports, [{ name: 'http', port: 80, targetPort: 'http' }], name);
    }
  });

  it('every pod turns off service links: the Service fortune would inject FORTUNE_* variables', async () => {
    for (const name of VARIANTS) {
      for (const manifest of (await variant(name)).manifests.filter((m) => m.kind === 'Pod')) {
        assert.equal(
          (manifest.object as unknown as IPod).spec?.enableServiceLinks,
          false,
          `${name}/${manifest.file}`,
        );
      }
    }
  });

  it('emptydir: the seed pod sharing one emptyDir', async () => {
    const v = await variant('emptydir');
    assert.deepEqual(assertSeedPod(v), { name: 'html', emptyDir: {} });
  });

  it('emptydir-memory: the emptyDir is on tmpfs, with a size limit the writer has memory for', async () => {
    const v = await variant('emptydir-memory');
    assert.deepEqual(assertSeedPod(v).emptyDir, { medium: 'Memory', sizeLimit: '16Mi' });
    // The checker proves the writer's limit leaves room for its request beside a full volume.
    assert.equal(v.container('html-generator').resources?.limits?.memory, '112Mi');
  });

  it('gitrepo: the legacy gitRepo volume, with the deprecation spelled out', async () => {
    const v = await variant('gitrepo');
    assert.deepEqual(v.volume('html').gitRepo?.directory, '.');
    assert.deepEqual(v.container('web-server').volumeMounts?.[0]?.readOnly, true);
    const pod = await v.text('pod.yaml');
    for (const fact of [
      '1.33',
      '1.36',
      'GitRepoVolumeDriver',
      'scripts/k3d-up.sh --gitrepo',
      '../git-sync',
    ]) {
      assert.ok(pod.includes(fact), `gitrepo/pod.yaml explains: ${fact}`);
    }
  });

  it('git-sync: an init container clones once, the sidecar keeps the emptyDir in sync, the server serves its link', async () => {
    const v = await variant('git-sync');
    const init = v.container('git-sync-init');
    const sidecar = v.container('git-sync');
    const server = v.container('web-server');
    assert.deepEqual(
      v.pod.spec?.initContainers?.map((c) => c.name),
      ['git-sync-init'],
    );
    assert.equal(v.env(init, 'GITSYNC_ONE_TIME')?.value, 'true');
    assert.equal(v.env(sidecar, 'GITSYNC_ONE_TIME'), undefined);
    assert.deepEqual(v.volume('site').emptyDir, {});
    const repo = v.env(sidecar, 'GITSYNC_REPO')?.value;
    assert.equal(repo, v.env(init, 'GITSYNC_REPO')?.value);
    // The server serves the link git-sync swaps (GITSYNC_LINK's default, html) under its root.
    assert.equal(server.volumeMounts?.[0]?.mountPath, '/git');
    assert.equal(v.env(server, 'WEB_ROOT')?.value, '/git/html');

    // The repository is the in-cluster git server's, reached through its Service.
    const gitServer = v.find<IService>('Service', 'git-server');
    const url = new URL(repo ?? '');
    assert.equal(url.protocol, 'git:');
    assert.equal(url.hostname, 'git-server');
    assert.equal(Number(url.port || 9418), gitServer.spec?.ports?.[0]?.port);
  });

  it('hostpath: a folder of the agent node, which pins the pod to that node', async () => {
    const v = await variant('hostpath');
    assert.deepEqual(assertSeedPod(v).hostPath, {
      path: '/var/lib/fortune-sidecar/htdocs',
      type: 'Directory',
    });
    assert.deepEqual(v.pod.spec?.nodeSelector, { 'kubernetes.io/hostname': AGENT_NODE });
    assert.match(await v.text('pod.yaml'), /DaemonSet/, 'says when hostPath is appropriate');
  });

  it('pv-pvc: a static local volume on the agent node, kept on release, bound by a claim the pod names', async () => {
    const v = await variant('pv-pvc');
    const pv = v.find<IPersistentVolume>('PersistentVolume');
    const claim = v.find<IPersistentVolumeClaim>('PersistentVolumeClaim');
    const storageClass = v.find<IStorageClass>('StorageClass');
    assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Retain');
    assert.deepEqual(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0]?.matchExpressions?.[0], {
      key: 'kubernetes.io/hostname',
      operator: 'In',
      values: [AGENT_NODE],
    });
    assert.equal(claim.spec?.storageClassName, pv.spec?.storageClassName);
    assert.equal(storageClass.metadata?.name, pv.spec?.storageClassName);
    assert.equal(storageClass.provisioner, 'kubernetes.io/no-provisioner');
    assert.equal(storageClass.volumeBindingMode, 'WaitForFirstConsumer');
    assert.deepEqual(assertSeedPod(v).persistentVolumeClaim, { claimName: claim.metadata?.name });
  });

  it('storageclass: a claim on a provisioner class makes its own volume, deleted with the claim', async () => {
    const v = await variant('storageclass');
    const storageClass = v.find<IStorageClass>('StorageClass');
    const claim = v.find<IPersistentVolumeClaim>('PersistentVolumeClaim');
    assert.equal(storageClass.provisioner, 'rancher.io/local-path');
    assert.equal(storageClass.reclaimPolicy, 'Delete');
    assert.equal(storageClass.volumeBindingMode, 'WaitForFirstConsumer');
    assert.equal(claim.spec?.storageClassName, storageClass.metadata?.name);
    assert.equal(
      v.manifests.filter((m: Manifest) => m.kind === 'PersistentVolume').length,
      0,
      'no volume is made by hand',
    );
    assert.deepEqual(assertSeedPod(v).persistentVolumeClaim, { claimName: claim.metadata?.name });
  });
});
