// The manifests, checked offline as `kubectl apply -k` would send them: each variant, rendered
// by kubectl's kustomize, validates against the Kubernetes schemas and fits together, and shows
// the volume kind it is named after.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { before, describe, it } from 'node:test';
import { HEALTH_PATHS, METRICS_PATH } from '@fortune-sidecar/common';
import {
  checkRendered,
  containersOf,
  type Manifest,
  type Problem,
  parseManifests,
  parseQuantity,
  podsOf,
} from '@fortune-sidecar/manifest-check';
import { REPO_ROOT, tempDir } from '@fortune-sidecar/testing';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IStorageClass } from 'kubernetes-models/storage.k8s.io/v1/StorageClass';
import type { IContainer, IPod, IService, IVolume } from 'kubernetes-models/v1';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IPersistentVolume } from 'kubernetes-models/v1/PersistentVolume';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { parseFortuneList } from '../../apps/fortune-writer/src/fortune-list.ts';
import { FORTUNE_COOKIES } from '../../apps/fortune-writer/src/pick-fortune.ts';
import { kustomize, skipUnlessKubectl } from './kustomize.ts';
import { catalog, imageReference, REGISTRY, VERSION } from './project-catalog.ts';

const K8S = join(REPO_ROOT, 'k8s');
const VARIANTS = [
  'configmap',
  'downwardapi',
  'emptydir',
  'emptydir-memory',
  'git-sync',
  'git-sync-native',
  'gitrepo',
  'hostpath',
  'nfs',
  'projected',
  'pv-pvc',
  'secret',
  'statefulset',
  'storageclass',
];
/** Folders that variants include, not variants of their own. */
const PARTS = ['git-server', 'images'];
const lib = await readFile(join(REPO_ROOT, 'scripts', 'lib.sh'), 'utf8');
const AGENT_NODE = `k3d-${/^K3D_CLUSTER=(\S+)$/m.exec(lib)?.[1]}-agent-0`;
/** A Node.js service's idle use is close to 60 MB: a request below this is not what it needs. */
const MINIMUM_MEMORY_REQUEST = '64Mi';

const skip = await skipUnlessKubectl();
/** Each variant as `kubectl kustomize k8s/<variant>` prints it. */
const rendered = new Map<string, string>(
  skip
    ? []
    : await Promise.all(VARIANTS.map(async (name) => [name, await kustomize(join(K8S, name))] as const)),
);

/** The objects of a rendered variant; problems with the YAML fail here. */
function objectsOf(text: string, source: string): Manifest[] {
  const { manifests, problems } = parseManifests(text, source);
  assert.deepEqual(problems, [], source);
  return manifests;
}

function variant(name: string) {
  const output = rendered.get(name);
  assert.ok(output !== undefined, `${name} was rendered`);
  const manifests = objectsOf(output, `k8s/${name}`);
  const find = <T>(kind: string, objectName?: string) => {
    const found = manifests.find(
      (m) => m.kind === kind && (objectName === undefined || m.name === objectName),
    );
    assert.ok(found, `${name} has a ${kind}${objectName ? ` ${objectName}` : ''}`);
    return found.object as unknown as T;
  };
  /** The pod fortune: a Pod, or the pod template of the Deployment or StatefulSet of that name. */
  const podNamed = (podName = 'fortune'): IPod => {
    const found = podsOf(manifests).find((p) => p.manifest.name === podName);
    assert.ok(found, `${name} has a pod (or a workload) ${podName}`);
    return found.object;
  };
  const container = (containerName: string, pod = podNamed()): IContainer => {
    const found = containersOf(pod).find((c) => c.name === containerName);
    assert.ok(found, `${name}: the pod has a container ${containerName}`);
    return found;
  };
  const volume = (volumeName: string, pod = podNamed()): IVolume => {
    const found = pod.spec?.volumes?.find((v) => v.name === volumeName);
    assert.ok(found, `${name}: the pod has a volume ${volumeName}`);
    return found;
  };
  const env = (c: IContainer, variable: string) => c.env?.find((e) => e.name === variable);
  const text = async (file: string) => readFile(join(K8S, name, file), 'utf8');
  return {
    manifests,
    find,
    get pod() {
      return podNamed();
    },
    podNamed,
    container,
    volume,
    env,
    text,
  };
}

/** Every container of every pod in these objects, with where it is. */
function containersIn(manifests: readonly Manifest[]): { where: string; container: IContainer }[] {
  return podsOf(manifests).flatMap(({ manifest: m, object: pod }) =>
    containersOf(pod).map((container) => ({
      where: `${m.file} ${m.kind}/${m.name} ${container.name}`,
      container,
    })),
  );
}

/** The YAML files of a folder of k8s/, parsed. */
async function filesOf(folder: string): Promise<{ file: string; text: string; objects: unknown[] }[]> {
  const names = (await readdir(join(K8S, folder))).filter((name) => /\.ya?ml$/.test(name)).sort();
  return Promise.all(
    names.map(async (name) => {
      const text = await readFile(join(K8S, folder, name), 'utf8');
      return { file: `k8s/${folder}/${name}`, text, objects: parseAllDocuments(text).map((d) => d.toJS()) };
    }),
  );
}

interface ImageEntry {
  name: string;
  newName?: string;
  newTag?: string;
}
const component = parse(await readFile(join(K8S, 'images', 'kustomization.yaml'), 'utf8')) as {
  kind: string;
  images: ImageEntry[];
};

/** The seed's pod: html-generator writes /var/htdocs, web-server serves the same volume read-only. */
function assertSeedPod(v: ReturnType<typeof variant>): IVolume {
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
  it('has one folder per volume kind of the seed, beside the parts they include', async () => {
    const folders = (await readdir(K8S, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory() && entry.name !== 'test')
      .map((entry) => entry.name)
      .sort();
    assert.deepEqual(folders, [...VARIANTS, ...PARTS].sort());
  });

  describe('images, named in one place', () => {
    it('k8s/images is a kustomize Component naming each image of the project with the registry and version', () => {
      assert.equal(component.kind, 'Component');
      for (const image of ['fortune-writer', 'web-server', 'git-sync']) {
        const entry = component.images.find((e) => e.name === `fortune-sidecar/${image}`);
        assert.ok(entry, `k8s/images names fortune-sidecar/${image}`);
        assert.equal(`${entry.newName}:${entry.newTag}`, imageReference(image));
      }
    });

    it('every variant includes k8s/images, and no other manifest names the registry or a tag', async () => {
      const bare = new Set(component.images.map((entry) => entry.name));
      const host = REGISTRY?.split(':')[0] ?? '';
      for (const folder of [...VARIANTS, 'git-server']) {
        for (const { file, text, objects } of await filesOf(folder)) {
          if (file.endsWith('/kustomization.yaml')) {
            const kustomization = objects[0] as { components?: string[] };
            if (folder !== 'git-server') assert.deepEqual(kustomization.components, ['../images'], file);
            continue;
          }
          assert.ok(!text.includes(host), `${file} does not name the registry ${host}`);
          const pods = podsOf(
            (objects as { kind?: string; metadata?: { name?: string } }[])
              .filter((object) => typeof object?.kind === 'string')
              .map((object) => ({
                file,
                apiVersion: '',
                kind: object.kind ?? '',
                name: object.metadata?.name ?? '',
                object: object as Record<string, unknown>,
              })),
          );
          for (const { object } of pods) {
            for (const container of containersOf(object)) {
              assert.ok(
                bare.has(container.image ?? ''),
                `${file}: ${container.name} names ${container.image}, one of k8s/images (${[...bare].join(', ')})`,
              );
            }
          }
        }
      }
    });
  });

  describe('as kustomize renders them', { skip }, () => {
    let problems: Map<string, Problem[]>;
    before(() => {
      problems = checkRendered(
        VARIANTS.map((name) => ({ source: `k8s/${name}`, text: rendered.get(name) ?? '' })),
        catalog,
      );
    });

    for (const name of VARIANTS) {
      it(`${name}: validates against the Kubernetes schemas, and its objects, images and settings fit together`, () => {
        assert.deepEqual(
          problems.get(`k8s/${name}`)?.map((p) => `${p.file} ${p.object}: ${p.message}`),
          [],
        );
      });
    }

    it(`every container runs an image of the project at ${VERSION}, from the registry k8s/images names`, () => {
      const references = new Set(catalog.images.map((image) => image.reference));
      for (const name of VARIANTS) {
        const containers = containersIn(variant(name).manifests);
        assert.ok(containers.length > 0, name);
        for (const { where, container } of containers) {
          assert.ok(references.has(container.image ?? ''), `${where} runs ${container.image}`);
        }
      }
    });

    it('an overlay with its own images: retargets every container of every variant to another registry', async () => {
      const registry = 'registry.example.com:5000/fortune';
      const overlays = await tempDir('fortune-overlay-');
      for (const name of VARIANTS) {
        const dir = join(overlays, name);
        await mkdir(dir);
        const kustomization = {
          apiVersion: 'kustomize.config.k8s.io/v1beta1',
          kind: 'Kustomization',
          // kustomize takes a base by relative path only.
          resources: [relative(dir, join(K8S, name))],
          images: component.images.map((entry) => ({
            name: entry.newName,
            newName: `${registry}/${entry.name.split('/').pop()}`,
          })),
        };
        await writeFile(join(dir, 'kustomization.yaml'), stringify(kustomization));
        const containers = containersIn(objectsOf(await kustomize(dir), `overlay of k8s/${name}`));
        assert.ok(containers.length > 0, name);
        for (const { where, container } of containers) {
          assert.match(
            container.image ?? '',
            new RegExp(
              `^${registry.replace(/\./g, '\\.')}/(fortune-writer|web-server|git-sync):${VERSION.replace(/\./g, '\\.')}$`,
            ),
            where,
          );
        }
      }
    });

    it(`every container requests at least ${MINIMUM_MEMORY_REQUEST} of memory, and its limit is no lower`, () => {
      const minimum = parseQuantity(MINIMUM_MEMORY_REQUEST) ?? 0;
      for (const name of VARIANTS) {
        for (const { where, container } of containersIn(variant(name).manifests)) {
          const { requests = {}, limits = {} } = container.resources ?? {};
          const request = parseQuantity(requests.memory) ?? 0;
          assert.ok(
            request >= minimum,
            `${where} requests ${requests.memory} of memory, under ${MINIMUM_MEMORY_REQUEST}`,
          );
          assert.ok((parseQuantity(limits.memory) ?? 0) >= request, `${where}: its limit ${limits.memory}`);
        }
      }
    });

    it('every object of a variant carries its label fortune-sidecar/variant, which scripts/k3d-delete.sh selects by', () => {
      for (const name of VARIANTS) {
        for (const manifest of variant(name).manifests) {
          const labels = (manifest.object as { metadata?: { labels?: Record<string, string> } }).metadata
            ?.labels;
          assert.equal(
            labels?.['fortune-sidecar/variant'],
            name,
            `${name} ${manifest.kind}/${manifest.name}`,
          );
        }
      }
    });

    it('each variant has a Service for the web server, for kubectl port-forward svc/fortune 8080:80', () => {
      for (const name of VARIANTS) {
        const service = variant(name).find<IService>('Service', 'fortune');
        assert.deepEqual(service.spec?.ports, [{ name: 'http', port: 80, targetPort: 'http' }], name);
      }
    });

    it('every pod turns off service links: the Service fortune would inject FORTUNE_* variables', () => {
      for (const name of VARIANTS) {
        for (const { manifest, object: pod } of podsOf(variant(name).manifests)) {
          assert.equal(pod.spec?.enableServiceLinks, false, `${name} ${manifest.name}`);
        }
      }
    });

    // One port per pod is what the prometheus.io annotations can name: the web server's where the
    // pod has one. The git servers are the demo's, not services of the project: they have no /metrics.
    it("every pod of the services asks to be scraped on /metrics, at a port a container declares: the web server's if it has one", () => {
      for (const name of VARIANTS) {
        for (const { manifest, object: pod } of podsOf(variant(name).manifests)) {
          if (manifest.name === 'git-server') continue;
          const where = `${name} ${manifest.name}`;
          const annotations = pod.metadata?.annotations ?? {};
          assert.equal(annotations['prometheus.io/scrape'], 'true', where);
          assert.equal(annotations['prometheus.io/path'], METRICS_PATH, where);
          const port = annotations['prometheus.io/port'];
          const declared = containersOf(pod).flatMap((c) =>
            (c.ports ?? []).map((p) => String(p.containerPort)),
          );
          assert.ok(
            declared.includes(port ?? ''),
            `${where}: prometheus.io/port ${port} is none of ${declared}`,
          );
          const web = containersOf(pod).find((c) => c.image?.includes('/web-server:'));
          if (web)
            assert.equal(port, String(web.ports?.find((p) => p.name === 'http')?.containerPort), where);
          // podman kube play refuses annotation values longer than a label's.
          for (const key of ['scrape', 'port', 'path'])
            assert.ok(
              (annotations[`prometheus.io/${key}`] ?? '').length <= 63,
              `${where} prometheus.io/${key}`,
            );
        }
      }
    });

    it('configmap: the writer reads its list from a ConfigMap volume, and the same key with subPath is the copy that never updates', async () => {
      const v = variant('configmap');
      assert.deepEqual(assertSeedPod(v), { name: 'html', emptyDir: {} });
      const configMap = v.find<IConfigMap>('ConfigMap');
      assert.equal(
        configMap.metadata?.name,
        'fortune-list',
        'a fixed name, which a bare Pod can keep naming',
      );
      assert.deepEqual(v.volume('list').configMap, { name: 'fortune-list' });
      const writer = v.container('html-generator');
      const mounts = writer.volumeMounts?.filter((mount) => mount.name === 'list');
      assert.deepEqual(mounts, [
        { name: 'list', mountPath: '/etc/fortunes', readOnly: true },
        {
          name: 'list',
          mountPath: '/etc/fortunes-subpath/fortunes.txt',
          subPath: 'fortunes.txt',
          readOnly: true,
        },
      ]);
      // The writer reads the file of the folder mount, which the kubelet updates in place.
      assert.equal(v.env(writer, 'FORTUNE_LIST_FILE')?.value, '/etc/fortunes/fortunes.txt');
      const list = parseFortuneList(configMap.data?.['fortunes.txt'] ?? '');
      assert.ok(list.length >= 2, 'a list to pick from');
      assert.ok(
        list.every((fortune) => !FORTUNE_COOKIES.includes(fortune)),
        'fortunes of its own, told apart from the built-in list on the page',
      );
      assert.deepEqual(
        v.container('web-server').volumeMounts,
        [{ name: 'html', mountPath: '/usr/share/fortune/html', readOnly: true }],
        'the web server serves the fortune, not the list',
      );
      const kustomization = await v.text('kustomization.yaml');
      assert.match(kustomization, /configMapGenerator/, 'says why the ConfigMap has no generated name');
      assert.doesNotMatch(kustomization, /^configMapGenerator:/m);
      assert.match(await v.text('pod.yaml'), /\.\.data/, 'says why the subPath copy never changes');
    });

    it("downwardapi: the writer reads the pod's labels and annotations from a downwardAPI volume, and one label also from its environment", async () => {
      const v = variant('downwardapi');
      assert.deepEqual(assertSeedPod(v), { name: 'html', emptyDir: {} });
      const writer = v.container('html-generator');
      assert.deepEqual(
        writer.volumeMounts?.find((mount) => mount.name === 'podinfo'),
        { name: 'podinfo', mountPath: '/etc/podinfo', readOnly: true },
      );
      assert.deepEqual(v.volume('podinfo').downwardAPI?.items, [
        { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
        { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
      ]);
      assert.equal(v.env(writer, 'FORTUNE_POD_INFO_DIR')?.value, '/etc/podinfo');
      const label = v.env(writer, 'FORTUNE_LABEL')?.value ?? '';
      assert.equal(
        v.env(writer, 'FORTUNE_LABEL_AT_START')?.valueFrom?.fieldRef?.fieldPath,
        `metadata.labels['${label}']`,
        'the same label, through the environment',
      );
      assert.equal(v.pod.metadata?.labels?.[label], 'blue', 'the pod carries the label to change');
      assert.deepEqual(
        v.container('web-server').volumeMounts,
        [{ name: 'html', mountPath: '/usr/share/fortune/html', readOnly: true }],
        "the web server serves the page, not the pod's labels",
      );
      assert.match(
        await v.text('pod.yaml'),
        /kubectl label pod fortune --overwrite fortune-sidecar\/color=green/,
      );
    });

    it("projected: one folder holds the list (ConfigMap), the labels and annotations (downward API) and a Secret's key with its own mode", () => {
      const v = variant('projected');
      assert.deepEqual(assertSeedPod(v), { name: 'html', emptyDir: {} });
      const writer = v.container('html-generator');
      assert.deepEqual(
        writer.volumeMounts?.find((mount) => mount.name === 'config'),
        { name: 'config', mountPath: '/etc/fortune', readOnly: true },
      );
      const projected = v.volume('config').projected;
      assert.deepEqual(
        projected?.sources?.map((source) => Object.keys(source)),
        [['configMap'], ['downwardAPI'], ['secret']],
      );
      const configMap = v.find<IConfigMap>('ConfigMap');
      assert.equal(projected?.sources?.[0]?.configMap?.name, configMap.metadata?.name);
      assert.ok(parseFortuneList(configMap.data?.['fortunes.txt'] ?? '').length >= 2);
      assert.equal(v.env(writer, 'FORTUNE_LIST_FILE')?.value, '/etc/fortune/fortunes.txt');
      assert.equal(
        v.env(writer, 'FORTUNE_POD_INFO_DIR')?.value,
        '/etc/fortune',
        'one folder for all sources',
      );
      // 0440 (288): the Secret's file is readable by the pod's group, where 0644 is the rest's.
      assert.equal(projected?.defaultMode, 0o644);
      assert.equal(projected?.sources?.[2]?.secret?.items?.[0]?.mode, 0o440);
      const secret = v.find<{ metadata?: { name?: string } }>('Secret');
      assert.equal(projected?.sources?.[2]?.secret?.name, secret.metadata?.name);
    });

    it('emptydir: the seed pod sharing one emptyDir', () => {
      const v = variant('emptydir');
      assert.deepEqual(assertSeedPod(v), { name: 'html', emptyDir: {} });
    });

    it('emptydir-memory: the emptyDir is a tmpfs of its size limit, which the writer has memory for', async () => {
      const v = variant('emptydir-memory');
      assert.deepEqual(assertSeedPod(v).emptyDir, { medium: 'Memory', sizeLimit: '16Mi' });
      // The checker proves the writer's limit leaves room for its request beside a full volume.
      assert.equal(v.container('html-generator').resources?.limits?.memory, '112Mi');
      const pod = await v.text('pod.yaml');
      assert.match(pod, /ENOSPC/, 'says a write past the sizeLimit fails');
      assert.doesNotMatch(pod, /kubelet evicts the pod/);
    });

    it('gitrepo: the legacy gitRepo volume, with the deprecation and the missing git spelled out', async () => {
      const v = variant('gitrepo');
      assert.deepEqual(v.volume('html').gitRepo?.directory, '.');
      assert.deepEqual(v.container('web-server').volumeMounts?.[0]?.readOnly, true);
      const pod = await v.text('pod.yaml');
      for (const fact of [
        '1.33',
        '1.36',
        'GitRepoVolumeDriver',
        'scripts/k3d-up.sh --gitrepo',
        'have no git',
        'ContainerCreating',
        'FailedMount',
        '../git-sync',
        '../git-sync-native',
      ]) {
        assert.ok(pod.includes(fact), `gitrepo/pod.yaml explains: ${fact}`);
      }
    });

    it('git-sync: an init container clones once, the sidecar keeps the emptyDir in sync, the server serves its link', async () => {
      const v = variant('git-sync');
      const init = v.container('git-sync-init');
      const sidecar = v.container('git-sync');
      const server = v.container('web-server');
      assert.deepEqual(
        v.pod.spec?.initContainers?.map((c) => c.name),
        ['git-sync-init'],
      );
      assert.equal(init.restartPolicy, undefined, 'a classic init container, run to completion');
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

      const pod = await v.text('pod.yaml');
      for (const fact of ['1.33', '1.29', '../git-sync-native', 'podman kube play']) {
        assert.ok(pod.includes(fact), `git-sync/pod.yaml says when the native form applies: ${fact}`);
      }
    });

    it('git-sync-native: git-sync is one native sidecar, and the web server starts after its first checkout', () => {
      const v = variant('git-sync-native');
      const classic = variant('git-sync');
      assert.deepEqual(
        v.pod.spec?.initContainers?.map((c) => c.name),
        ['git-sync'],
      );
      assert.deepEqual(
        v.pod.spec?.containers?.map((c) => c.name),
        ['web-server'],
      );
      const sidecar = v.container('git-sync');
      assert.equal(sidecar.restartPolicy, 'Always', 'an init container that keeps running: a sidecar');
      // The kubelet starts the next container only once the sidecar's startupProbe succeeds, and
      // git-sync's /readyz answers 200 only after its first sync.
      assert.equal(sidecar.startupProbe?.httpGet?.path, HEALTH_PATHS.ready);
      assert.equal(sidecar.startupProbe?.httpGet?.port, 'health');
      assert.equal(v.env(sidecar, 'GITSYNC_ONE_TIME'), undefined, 'it keeps syncing');
      for (const variable of ['GITSYNC_REPO', 'GITSYNC_PERIOD']) {
        assert.equal(
          v.env(sidecar, variable)?.value,
          classic.env(classic.container('git-sync'), variable)?.value,
          `${variable} as in the classic form`,
        );
      }
      assert.deepEqual(v.volume('site').emptyDir, {});
      assert.deepEqual(v.container('web-server'), classic.container('web-server'), 'the same web server');

      // The git server is the one k8s/git-server defines for both forms, with each form's label.
      const gitServer = (m: readonly Manifest[]) =>
        m
          .filter((o) => o.name === 'git-server')
          .map((o) => {
            const object = structuredClone(o.object) as { metadata: { labels: Record<string, string> } };
            delete object.metadata.labels['fortune-sidecar/variant'];
            return object;
          });
      assert.equal(gitServer(v.manifests).length, 2, 'the git server pod and its Service');
      assert.deepEqual(gitServer(v.manifests), gitServer(classic.manifests));
    });

    it('secret: git-sync reads its password from a Secret volume only it mounts, readable through fsGroup, from a git server that asks for it', async () => {
      const v = variant('secret');
      const classic = variant('git-sync');
      const secret = v.find<ISecret>('Secret', 'git-credentials');
      assert.deepEqual(Object.keys(secret.stringData ?? {}), ['password']);
      assert.deepEqual(v.volume('git-secret').secret, { secretName: 'git-credentials', defaultMode: 0o400 });
      // defaultMode 0400 makes the files root's alone: the kubelet adds group read for fsGroup.
      assert.equal(v.pod.spec?.securityContext?.fsGroup, 1000);
      assert.equal(v.pod.spec?.securityContext?.runAsGroup, 1000);

      const sync = [v.container('git-sync-init'), v.container('git-sync')];
      for (const container of sync) {
        const mount = container.volumeMounts?.find((m) => m.name === 'git-secret');
        assert.deepEqual(mount, { name: 'git-secret', mountPath: '/etc/git-secret', readOnly: true });
        assert.equal(v.env(container, 'GITSYNC_PASSWORD_FILE')?.value, '/etc/git-secret/password');
        assert.equal(v.env(container, 'GITSYNC_USERNAME')?.value, 'fortune');
        // Never from an environment variable: a subPath mount would never see a rotation either.
        assert.ok(
          !container.env?.some((e) => e.valueFrom?.secretKeyRef),
          `${container.name}: no secretKeyRef`,
        );
        assert.ok(!container.volumeMounts?.some((m) => m.subPath), `${container.name}: no subPath`);
      }
      // Syncs fail between the server's and git-sync's copy of a new password: the sidecar
      // waits that out (backoff 5 s, 10 s, 20 s, 40 s, 80 s...) rather than restart.
      assert.ok(Number(v.env(v.container('git-sync'), 'GITSYNC_MAX_FAILURES')?.value) >= 5);
      assert.deepEqual(
        v.container('web-server').volumeMounts?.map((m) => m.name),
        ['site'],
        'the web server has no use for the password',
      );
      assert.deepEqual(v.container('web-server'), classic.container('web-server'), 'the same web server');

      // The git server asks for the same user and the password of the same Secret, over HTTP.
      const server = v.podNamed('git-server');
      const http = v.container('git-http', server);
      assert.deepEqual(v.volume('git-secret', server).secret, v.volume('git-secret').secret);
      assert.equal(v.env(http, 'GIT_SERVER_USERNAME')?.value, 'fortune');
      assert.equal(v.env(http, 'GIT_SERVER_PASSWORD_FILE')?.value, '/etc/git-secret/password');
      const service = v.find<IService>('Service', 'git-server');
      const url = new URL(v.env(v.container('git-sync'), 'GITSYNC_REPO')?.value ?? '');
      assert.equal(url.protocol, 'http:');
      assert.equal(url.hostname, 'git-server');
      assert.equal(Number(url.port), service.spec?.ports?.[0]?.port);
      assert.equal(v.env(v.container('git-sync-init'), 'GITSYNC_REPO')?.value, url.href);

      const text = (await v.text('secret.yaml')) + (await v.text('pod.yaml'));
      for (const fact of ['kubectl create secret generic', 'not encryption', 'tmpfs', 'fsGroup', 'subPath'])
        assert.ok(text.includes(fact), `k8s/secret says: ${fact}`);
    });

    it('hostpath: a folder of the agent node, which pins the pod to that node', async () => {
      const v = variant('hostpath');
      assert.deepEqual(assertSeedPod(v).hostPath, {
        path: '/var/lib/fortune-sidecar/htdocs',
        type: 'Directory',
      });
      assert.deepEqual(v.pod.spec?.nodeSelector, { 'kubernetes.io/hostname': AGENT_NODE });
      assert.match(await v.text('pod.yaml'), /DaemonSet/, 'says when hostPath is appropriate');
    });

    it('pv-pvc: a static local volume on the agent node, kept on release, bound by a claim the pod names', () => {
      const v = variant('pv-pvc');
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

    it('statefulset: each replica gets its own ReadWriteOnce claim from a template, kept when scaled down', async () => {
      const v = variant('statefulset');
      const set = v.find<IStatefulSet>('StatefulSet', 'fortune');
      const headless = v.find<IService>('Service', set.spec?.serviceName);
      assert.equal(headless.spec?.clusterIP, 'None', 'its governing Service is headless');
      assert.ok((set.spec?.replicas ?? 1) >= 2, 'past one pod');
      assert.equal(
        v.manifests.filter((m) => m.kind === 'PersistentVolumeClaim').length,
        0,
        'no claim is made by hand: the controller makes one per replica',
      );
      const [template, ...others] = set.spec?.volumeClaimTemplates ?? [];
      assert.equal(others.length, 0);
      assert.equal(template?.metadata?.name, 'html');
      assert.equal(template?.spec?.storageClassName, 'local-path', "k3s's own local-path class");
      assert.deepEqual(template?.spec?.accessModes, ['ReadWriteOnce']);
      assert.deepEqual(set.spec?.persistentVolumeClaimRetentionPolicy, {
        whenScaled: 'Retain',
        whenDeleted: 'Retain',
      });
      // The seed's containers, both on the replica's claim: the pod template declares no volume.
      const writer = v.container('html-generator');
      const server = v.container('web-server');
      assert.equal(v.pod.spec?.volumes, undefined);
      assert.deepEqual(writer.volumeMounts, [{ name: 'html', mountPath: '/var/htdocs' }]);
      assert.deepEqual(server.volumeMounts, [
        { name: 'html', mountPath: '/usr/share/fortune/html', readOnly: true },
      ]);
      assert.equal(
        v.env(writer, 'POD_NAME')?.valueFrom?.fieldRef?.fieldPath,
        'metadata.name',
        'the page names the replica',
      );
      assert.equal(v.env(writer, 'NODE_NAME')?.valueFrom?.fieldRef?.fieldPath, 'spec.nodeName');
      assert.match(await v.text('statefulset.yaml'), /html-fortune-0/, 'names the claims <template>-<pod>');
    });

    it('nfs: one writer and web servers on several nodes share one ReadWriteMany claim on an NFS volume', async () => {
      const v = variant('nfs');
      const pv = v.find<IPersistentVolume>('PersistentVolume');
      const claim = v.find<IPersistentVolumeClaim>('PersistentVolumeClaim');
      assert.ok(pv.spec?.nfs, 'an nfs volume');
      assert.deepEqual(pv.spec?.accessModes, ['ReadWriteMany']);
      assert.deepEqual(claim.spec?.accessModes, ['ReadWriteMany']);
      assert.equal(claim.spec?.storageClassName, '', 'binds to the volume made by hand, not a provisioner');

      const writers = v.find<IDeployment>('Deployment', 'fortune-writer');
      assert.equal(writers.spec?.replicas, 1, 'one writer');
      assert.equal(writers.spec?.strategy?.type, 'Recreate', 'never two writers, even during a rollout');
      const writerPod = v.podNamed('fortune-writer');
      const writer = v.container('html-generator', writerPod);
      assert.deepEqual(writer.volumeMounts, [{ name: 'html', mountPath: '/var/htdocs' }]);
      assert.deepEqual(v.volume('html', writerPod).persistentVolumeClaim, {
        claimName: claim.metadata?.name,
      });
      assert.equal(
        v.env(writer, 'FORTUNE_VARIANT')?.valueFrom?.fieldRef?.fieldPath,
        "metadata.labels['fortune-sidecar/variant']",
      );

      const servers = v.find<IDeployment>('Deployment', 'fortune');
      assert.ok((servers.spec?.replicas ?? 1) >= 2, 'several web servers');
      const server = v.container('web-server');
      assert.equal(v.pod.spec?.containers?.length, 1, 'web servers only');
      assert.equal(server.volumeMounts?.[0]?.readOnly, true);
      assert.deepEqual(v.volume('html').persistentVolumeClaim, {
        claimName: claim.metadata?.name,
        readOnly: true,
      });
      const [spread] = v.pod.spec?.topologySpreadConstraints ?? [];
      assert.equal(spread?.topologyKey, 'kubernetes.io/hostname', 'each on another node');
      assert.equal(spread?.whenUnsatisfiable, 'DoNotSchedule');
      assert.deepEqual(spread?.labelSelector?.matchLabels, servers.spec?.selector?.matchLabels);
      const service = v.find<IService>('Service', 'fortune');
      assert.deepEqual(
        service.spec?.selector,
        servers.spec?.selector?.matchLabels,
        'the Service reaches the web servers',
      );

      for (const fact of ['mount.nfs', 'k3d', 'placeholder']) {
        assert.ok((await v.text('pv.yaml')).includes(fact), `nfs/pv.yaml says: ${fact}`);
      }
    });

    it("nfs: the server and the export are placeholders that one change of the kustomization's patch replaces", async () => {
      const kustomization = await readFile(join(K8S, 'nfs', 'kustomization.yaml'), 'utf8');
      assert.match(kustomization, /CHANGE ME/);
      const copy = await tempDir('fortune-nfs-');
      await mkdir(join(copy, 'nfs'));
      await mkdir(join(copy, 'images'));
      for (const file of await readdir(join(K8S, 'nfs'))) {
        await writeFile(join(copy, 'nfs', file), await readFile(join(K8S, 'nfs', file)));
      }
      await writeFile(
        join(copy, 'images', 'kustomization.yaml'),
        await readFile(join(K8S, 'images', 'kustomization.yaml')),
      );
      await writeFile(
        join(copy, 'nfs', 'kustomization.yaml'),
        kustomization
          .replace('value: nfs-server.example.invalid', 'value: 192.168.1.20')
          .replace('value: /exports/fortune', 'value: /srv/nfs/fortune'),
      );
      const objects = objectsOf(await kustomize(join(copy, 'nfs')), 'k8s/nfs with a server');
      const pv = objects.find((m) => m.kind === 'PersistentVolume')?.object as unknown as IPersistentVolume;
      assert.deepEqual(pv.spec?.nfs, { server: '192.168.1.20', path: '/srv/nfs/fortune' });
    });

    it('storageclass: a claim on a provisioner class makes its own volume, deleted with the claim', () => {
      const v = variant('storageclass');
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
});
