import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { stringify } from 'yaml';
import {
  type Catalog,
  checkFolder,
  checkManifests,
  checkRendered,
  type ImageSpec,
  parseManifests,
} from '../src/index.ts';
import { programsBuilt } from '../src/schema.ts';

/** Two images with the shape of this project's: a server that only reads, and a writer. */
const catalog: Catalog = {
  images: [
    {
      reference: 'registry.test/server:1',
      env: { PORT: '8080' },
      knownVariables: ['PORT'],
      loadConfig(env) {
        if (!/^\d+$/.test(env.PORT ?? ''))
          throw new Error(`PORT="${env.PORT}" is not valid: expected a port`);
        return env;
      },
      healthPort: (env) => Number(env.PORT),
      healthPaths: ['/healthz', '/readyz'],
      readsOnly: true,
    },
    {
      reference: 'registry.test/writer:1',
      env: { HEALTH_PORT: '8081' },
      knownVariables: ['HEALTH_PORT', 'POD_NAME'],
      loadConfig: (env) => env,
      healthPort: (env) => Number(env.HEALTH_PORT),
      healthPaths: ['/healthz', '/readyz'],
      readsOnly: false,
    },
  ],
  clusterStorageClasses: ['local-path'],
};

const hardened = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};
const resources = { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } };

/** A pod that follows every rule; each test breaks one. */
function goodPod() {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'fortune', labels: { app: 'fortune' } },
    spec: {
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        fsGroup: 1000,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: 'writer',
          image: 'registry.test/writer:1',
          env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          ports: [{ name: 'health', containerPort: 8081 }],
          volumeMounts: [{ name: 'html', mountPath: '/var/htdocs' }],
          livenessProbe: { httpGet: { path: '/healthz', port: 'health' } },
          readinessProbe: { httpGet: { path: '/readyz', port: 'health' } },
          resources,
          securityContext: hardened,
        },
        {
          name: 'server',
          image: 'registry.test/server:1',
          ports: [{ name: 'http', containerPort: 8080 }],
          volumeMounts: [{ name: 'html', mountPath: '/srv', readOnly: true }],
          livenessProbe: { httpGet: { path: '/healthz', port: 'http' } },
          readinessProbe: { httpGet: { path: '/readyz', port: 8080 } },
          resources,
          securityContext: hardened,
        },
      ],
      volumes: [{ name: 'html', emptyDir: {} }],
    },
  };
}
type Pod = ReturnType<typeof goodPod>;
type Container = Record<string, unknown> & { name: string; volumeMounts: unknown[] };

function podWith(change: (pod: Pod, writer: Container, server: Container) => void): Pod {
  const pod = goodPod();
  const [writer, server] = pod.spec.containers as unknown as [Container, Container];
  change(pod, writer, server);
  return pod;
}

const service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'fortune' },
  spec: { selector: { app: 'fortune' }, ports: [{ port: 80, targetPort: 'http' }] },
};

/** The problems' messages for these objects, applied together. */
function problemsOf(...objects: object[]): string[] {
  const { manifests, problems } = parseManifests(
    objects.map((object) => stringify(object)).join('---\n'),
    'test.yaml',
  );
  return [...problems, ...checkManifests(manifests, catalog)].map((p) => `${p.object}: ${p.message}`);
}

describe('manifest check', () => {
  it('finds nothing wrong with a pod and service that follow every rule', () => {
    assert.deepEqual(problemsOf(goodPod(), service), []);
  });

  describe('schema', () => {
    it('reports a value of the wrong type with its field path', () => {
      const pod = podWith((_, writer) => {
        (writer.ports as unknown[]) = [{ name: 'health', containerPort: '8081' }];
      });
      assert.deepEqual(problemsOf(pod), [
        'Pod/fortune: spec.containers[0].ports[0].containerPort must be integer',
      ]);
    });

    it('reports a missing required field', () => {
      const pod = podWith((_, writer) => {
        delete (writer as Partial<Container>).name;
      });
      assert.deepEqual(problemsOf(pod), ['Pod/fortune: spec.containers[0] must have required property name']);
    });

    it('reports fields Kubernetes does not know, which kubectl apply would refuse, with a suggestion', () => {
      const pod = podWith((pod, writer) => {
        writer.volumeMount = writer.volumeMounts;
        delete (writer as Partial<Container>).volumeMounts;
        (pod.spec.volumes[0] as Record<string, unknown>).emptyDir = { sizeLimt: '1Mi' };
      });
      const problems = problemsOf(pod);
      assert.ok(
        problems.includes(
          'Pod/fortune: spec.containers[0].volumeMount is not a field Kubernetes knows: did you mean volumeMounts?',
        ),
        problems.join('\n'),
      );
      assert.ok(
        problems.includes(
          'Pod/fortune: spec.volumes[0].emptyDir.sizeLimt is not a field Kubernetes knows: did you mean sizeLimit?',
        ),
        problems.join('\n'),
      );
    });

    it('reads the Kubernetes declarations once per run, not once for every folder it checks', (t) => {
      problemsOf(goodPod(), service);
      const readFile = t.mock.method(ts.sys, 'readFile');
      const misspelled = podWith((pod) => {
        (pod.spec as Record<string, unknown>).restartPolicyy = 'Always';
      });
      assert.deepEqual(problemsOf(misspelled, service), [
        'Pod/fortune: spec.restartPolicyy is not a field Kubernetes knows: did you mean restartPolicy?',
      ]);
      const declarations = readFile.mock.calls.filter((call) => call.arguments[0].endsWith('.d.ts'));
      assert.deepEqual(declarations, []);
    });

    it('checks several rendered sets in one TypeScript program, and reports each problem under its set', () => {
      const programsBefore = programsBuilt();
      const misspelled = podWith((pod) => {
        (pod.spec as Record<string, unknown>).restartPolicyy = 'Always';
      });
      const rendered = (...objects: object[]) => objects.map((object) => stringify(object)).join('---\n');
      const found = checkRendered(
        [
          { source: 'k8s/good', text: rendered(goodPod(), service) },
          { source: 'k8s/misspelled', text: rendered(misspelled, service) },
          { source: 'k8s/no-pod', text: rendered(service) },
        ],
        catalog,
      );
      assert.equal(programsBuilt() - programsBefore, 1);
      const messages = (source: string) =>
        found.get(source)?.map((p) => `${p.file} ${p.object}: ${p.message}`);
      assert.deepEqual(messages('k8s/good'), []);
      assert.deepEqual(messages('k8s/misspelled'), [
        'k8s/misspelled Pod/fortune: spec.restartPolicyy is not a field Kubernetes knows: did you mean restartPolicy?',
      ]);
      // Objects are checked with their own set only: the pods of the others do not count.
      assert.deepEqual(messages('k8s/no-pod'), [
        'k8s/no-pod Service/fortune: selects no pod defined here: check spec.selector against the pod labels',
      ]);
    });

    it('reports YAML that does not parse and documents that are not Kubernetes objects', () => {
      const { problems } = parseManifests('kind: Pod\n  bad: [indent\n---\njust: text\n', 'broken.yaml');
      assert.equal(problems.length, 2);
      assert.match(problems[0]?.message ?? '', /^YAML: /);
      assert.equal(problems[1]?.message, 'a document without apiVersion, kind and metadata.name');
    });
  });

  describe('volumes and claims', () => {
    it('reports a mount of an undeclared volume, and a declared volume that nobody mounts', () => {
      const pod = podWith((pod) => {
        pod.spec.volumes = [{ name: 'htm', emptyDir: {} }];
      });
      assert.deepEqual(problemsOf(pod), [
        'Pod/fortune: container writer mounts volume "html", which the pod does not declare',
        'Pod/fortune: container server mounts volume "html", which the pod does not declare',
        'Pod/fortune: volume "htm" is declared but no container mounts it',
      ]);
    });

    it("finds that the seed's own claim can never bind: it asks 2Gi of a 1Gi volume", async () => {
      const problems = await checkFolder(join(import.meta.dirname, 'fixtures'), catalog);
      assert.deepEqual(
        problems.map((p) => `${p.object}: ${p.message}`),
        ['PersistentVolumeClaim/mongodb-pvc: can never bind: it requests 2Gi, but mongodb-pv offers 1Gi'],
      );
      const fixture = await readFile(join(import.meta.dirname, 'fixtures', 'seed-pv-pvc.yaml'), 'utf8');
      const fixed = parseManifests(fixture.replace('storage: 2Gi', 'storage: 1Gi'), 'fixed.yaml');
      assert.deepEqual(checkManifests(fixed.manifests, catalog), [], 'binds once the claim fits');
    });

    it('binds a claim only to a volume of its class that offers its access modes', () => {
      const volume = {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: 'pv' },
        spec: {
          capacity: { storage: '1Gi' },
          accessModes: ['ReadWriteOnce'],
          storageClassName: 'manual',
          hostPath: { path: '/data' },
        },
      };
      const claim = (storageClassName: string, accessModes: string[]) => ({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'claim' },
        spec: { storageClassName, accessModes, resources: { requests: { storage: '500Mi' } } },
      });
      assert.deepEqual(problemsOf(volume, claim('manual', ['ReadWriteOnce'])), []);
      assert.deepEqual(problemsOf(volume, claim('manual', ['ReadWriteMany'])), [
        'PersistentVolumeClaim/claim: can never bind: pv does not offer access mode ReadWriteMany',
      ]);
      assert.deepEqual(problemsOf(volume, claim('fast', ['ReadWriteOnce'])), [
        'PersistentVolumeClaim/claim: can never bind: no volume of class "fast" is defined here, and the class has no provisioner',
      ]);
    });

    it("binds a claim on a provisioner's class without any volume: one defined alongside or the cluster's own", () => {
      const storageClass = {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: 'fast' },
        provisioner: 'rancher.io/local-path',
      };
      const claim = (storageClassName: string) => ({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'claim' },
        spec: {
          storageClassName,
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '5Gi' } },
        },
      });
      assert.deepEqual(problemsOf(storageClass, claim('fast')), []);
      assert.deepEqual(problemsOf(claim('local-path')), []);
    });

    it('reports a pod whose claim no manifest creates', () => {
      const pod = podWith((pod) => {
        pod.spec.volumes = [{ name: 'html', persistentVolumeClaim: { claimName: 'missing' } } as never];
      });
      assert.deepEqual(problemsOf(pod), [
        'Pod/fortune: volume "html" uses claim missing, which no manifest here creates',
      ]);
    });
  });

  describe('ConfigMap volumes', () => {
    const configMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'fortune-list' },
      data: { 'fortunes.txt': 'One fortune.\n' },
    };
    /** goodPod() whose writer also mounts the ConfigMap volume `list`, whole or with a subPath. */
    const podWithList = (list: object, subPath?: string) =>
      podWith((pod, writer) => {
        writer.volumeMounts.push({ name: 'list', mountPath: '/etc/fortunes', readOnly: true });
        if (subPath) {
          writer.volumeMounts.push({
            name: 'list',
            mountPath: `/etc/fortunes-subpath/${subPath}`,
            subPath,
            readOnly: true,
          });
        }
        pod.spec.volumes.push({ name: 'list', configMap: list } as never);
      });

    it('accepts a ConfigMap volume, whole or as items, and a subPath of one of its files', () => {
      assert.deepEqual(problemsOf(configMap, podWithList({ name: 'fortune-list' }, 'fortunes.txt')), []);
      const items = { name: 'fortune-list', items: [{ key: 'fortunes.txt', path: 'list/fortunes.txt' }] };
      assert.deepEqual(problemsOf(configMap, podWithList(items, 'list')), []);
    });

    it('validates the ConfigMap against its schema and its unknown fields', () => {
      assert.deepEqual(problemsOf({ ...configMap, data: { 'fortunes.txt': 42 } }), [
        'ConfigMap/fortune-list: data.fortunes.txt must be string',
      ]);
      assert.deepEqual(problemsOf({ ...configMap, dta: {} }), [
        'ConfigMap/fortune-list: dta is not a field Kubernetes knows: did you mean data?',
      ]);
    });

    it('reports a ConfigMap volume whose ConfigMap no manifest creates, unless it is optional', () => {
      assert.deepEqual(problemsOf(configMap, podWithList({ name: 'fortune-lists' })), [
        'Pod/fortune: volume "list" uses ConfigMap fortune-lists, which no manifest here creates',
      ]);
      assert.deepEqual(problemsOf(podWithList({ name: 'fortune-lists', optional: true })), []);
    });

    it('reports an item whose key the ConfigMap does not have', () => {
      const items = { name: 'fortune-list', items: [{ key: 'fortune.txt', path: 'fortunes.txt' }] };
      assert.deepEqual(problemsOf(configMap, podWithList(items)), [
        'Pod/fortune: volume "list" maps key "fortune.txt", which ConfigMap fortune-list does not have (its keys: fortunes.txt)',
      ]);
    });

    it('reports a subPath that is not one of the files of the ConfigMap volume', () => {
      assert.deepEqual(problemsOf(configMap, podWithList({ name: 'fortune-list' }, 'fortune.txt')), [
        'Pod/fortune: container writer mounts subPath "fortune.txt" of volume "list", which is not one of its files (fortunes.txt)',
      ]);
      // With items, the files are the items' paths, not the keys.
      const items = { name: 'fortune-list', items: [{ key: 'fortunes.txt', path: 'list.txt' }] };
      assert.deepEqual(problemsOf(configMap, podWithList(items, 'fortunes.txt')), [
        'Pod/fortune: container writer mounts subPath "fortunes.txt" of volume "list", which is not one of its files (list.txt)',
      ]);
    });
  });

  describe('downwardAPI and projected volumes', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'fortune-list' },
      data: { 'fortunes.txt': 'One fortune.\n' },
    };
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'fortune-secret' },
      stringData: { token: 'placeholder' },
    };
    const labels = { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } };
    /** goodPod() whose writer also mounts the volume `info` of this source, read-only. */
    const podWithVolume = (source: object) =>
      podWith((pod, writer) => {
        writer.volumeMounts.push({ name: 'info', mountPath: '/etc/info', readOnly: true });
        pod.spec.volumes.push({ name: 'info', ...source } as never);
      });
    const projected = (...sources: object[]) => podWithVolume({ projected: { sources } });

    it('accepts a downwardAPI volume of labels and annotations, and a projected volume of a ConfigMap, a Secret and the downward API', () => {
      const annotations = { path: 'annotations', fieldRef: { fieldPath: "metadata.annotations['note']" } };
      assert.deepEqual(problemsOf(podWithVolume({ downwardAPI: { items: [labels, annotations] } })), []);
      const pod = projected(
        { configMap: { name: 'fortune-list', items: [{ key: 'fortunes.txt', path: 'fortunes.txt' }] } },
        { downwardAPI: { items: [labels] } },
        { secret: { name: 'fortune-secret', items: [{ key: 'token', path: 'token', mode: 0o440 }] } },
        { serviceAccountToken: { path: 'token-for-api', expirationSeconds: 3600 } },
      );
      assert.deepEqual(problemsOf(list, secret, pod), []);
    });

    it('reports a field that only an environment variable can carry, in a volume', () => {
      const node = { path: 'node', fieldRef: { fieldPath: 'spec.nodeName' } };
      assert.deepEqual(problemsOf(podWithVolume({ downwardAPI: { items: [labels, node] } })), [
        'Pod/fortune: volume "info" file "node": fieldPath spec.nodeName cannot be a file (metadata.name, metadata.namespace, metadata.uid, metadata.labels, metadata.annotations, or one label or annotation): only an environment variable can carry it',
      ]);
      assert.deepEqual(
        problemsOf(
          projected({
            downwardAPI: { items: [{ ...node, path: 'ip', fieldRef: { fieldPath: 'status.podIP' } }] },
          }),
        ),
        [
          'Pod/fortune: volume "info" file "ip": fieldPath status.podIP cannot be a file (metadata.name, metadata.namespace, metadata.uid, metadata.labels, metadata.annotations, or one label or annotation): only an environment variable can carry it',
        ],
      );
    });

    it('reports a resource of a container the pod does not have', () => {
      const memory = {
        path: 'memory',
        resourceFieldRef: { containerName: 'writr', resource: 'limits.memory' },
      };
      assert.deepEqual(problemsOf(podWithVolume({ downwardAPI: { items: [memory] } })), [
        'Pod/fortune: volume "info" file "memory": resourceFieldRef names container writr, which the pod does not have (a volume must name one)',
      ]);
    });

    it('reports a whole map passed as an environment variable: only a volume can hold it', () => {
      const pod = podWith((_, writer) => {
        (writer.env as unknown[]).push({
          name: 'LABELS',
          valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } },
        });
      });
      assert.ok(
        problemsOf(pod).includes(
          "Pod/fortune: container writer sets LABELS from fieldPath metadata.labels, which an environment variable cannot carry (a whole map is for a downwardAPI volume; name one key, such as metadata.labels['app'])",
        ),
        problemsOf(pod).join('\n'),
      );
    });

    it('reports a ConfigMap or Secret source not defined alongside, or a key it lacks, unless optional', () => {
      assert.deepEqual(
        problemsOf(
          list,
          projected({ configMap: { name: 'fortune-lists' } }, { secret: { name: 'fortune-secret' } }),
        ),
        [
          'Pod/fortune: volume "info" uses ConfigMap fortune-lists, which no manifest here creates',
          'Pod/fortune: volume "info" uses Secret fortune-secret, which no manifest here creates',
        ],
      );
      assert.deepEqual(problemsOf(projected({ secret: { name: 'fortune-secret', optional: true } })), []);
      assert.deepEqual(
        problemsOf(
          secret,
          projected({ secret: { name: 'fortune-secret', items: [{ key: 'password', path: 'p' }] } }),
        ),
        [
          'Pod/fortune: volume "info" maps key "password", which Secret fortune-secret does not have (its keys: token)',
        ],
      );
    });

    it('reports two sources that write the same file', () => {
      assert.deepEqual(
        problemsOf(
          list,
          projected(
            { configMap: { name: 'fortune-list', items: [{ key: 'fortunes.txt', path: 'labels' }] } },
            { downwardAPI: { items: [labels] } },
          ),
        ),
        ['Pod/fortune: volume "info": more than one source writes "labels"'],
      );
    });
  });

  describe('Secret volumes', () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'git-credentials' },
      stringData: { password: 'placeholder' },
    };
    /** goodPod() whose writer also mounts the Secret volume `credentials`, read-only. */
    const podWithSecret = (source: object) =>
      podWith((pod, writer) => {
        writer.volumeMounts.push({ name: 'credentials', mountPath: '/etc/git-secret', readOnly: true });
        pod.spec.volumes.push({ name: 'credentials', secret: source } as never);
      });

    it('accepts a Secret volume, whole or as items, whose keys come from data or stringData', () => {
      assert.deepEqual(
        problemsOf(secret, podWithSecret({ secretName: 'git-credentials', defaultMode: 0o400 })),
        [],
      );
      const items = { secretName: 'git-credentials', items: [{ key: 'password', path: 'git/password' }] };
      assert.deepEqual(problemsOf(secret, podWithSecret(items)), []);
      const encoded = { ...secret, stringData: undefined, data: { password: 'cGxhY2Vob2xkZXI=' } };
      assert.deepEqual(problemsOf(encoded, podWithSecret(items)), []);
    });

    it('reports a Secret volume whose Secret no manifest creates, unless it is optional', () => {
      assert.deepEqual(problemsOf(secret, podWithSecret({ secretName: 'git-credential' })), [
        'Pod/fortune: volume "credentials" uses Secret git-credential, which no manifest here creates',
      ]);
      assert.deepEqual(problemsOf(podWithSecret({ secretName: 'git-credential', optional: true })), []);
    });

    it('reports an item whose key the Secret does not have', () => {
      const items = { secretName: 'git-credentials', items: [{ key: 'token', path: 'password' }] };
      assert.deepEqual(problemsOf(secret, podWithSecret(items)), [
        'Pod/fortune: volume "credentials" maps key "token", which Secret git-credentials does not have (its keys: password)',
      ]);
    });
  });

  describe('Deployments and StatefulSets', () => {
    /** goodPod() as the template of a workload. */
    function workload(kind: 'Deployment' | 'StatefulSet', change?: (pod: Pod) => void) {
      const pod = goodPod();
      change?.(pod);
      return {
        apiVersion: 'apps/v1',
        kind,
        metadata: { name: 'fortune' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'fortune' } },
          template: { metadata: pod.metadata, spec: pod.spec },
        },
      };
    }
    const headless = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'fortune-replicas' },
      spec: { clusterIP: 'None', selector: { app: 'fortune' }, ports: [{ port: 8080, targetPort: 'http' }] },
    };
    /** A StatefulSet whose replicas each claim their own volume "html" from local-path. */
    function statefulSet(storageClassName = 'local-path') {
      const set = workload('StatefulSet', (pod) => {
        pod.spec.volumes = [];
      });
      return {
        ...set,
        spec: {
          ...set.spec,
          serviceName: 'fortune-replicas',
          volumeClaimTemplates: [
            {
              metadata: { name: 'html' },
              spec: {
                storageClassName,
                accessModes: ['ReadWriteOnce'],
                resources: { requests: { storage: '100Mi' } },
              },
            },
          ],
        },
      };
    }

    it("checks a Deployment's pod template as a pod, and a Service selects its replicas", () => {
      assert.deepEqual(problemsOf(workload('Deployment'), service), []);
      const broken = workload('Deployment', (pod) => {
        pod.spec.volumes = [];
        pod.spec.securityContext.runAsUser = 0;
      });
      assert.deepEqual(problemsOf(broken, service), [
        'Deployment/fortune: container writer mounts volume "html", which the pod does not declare',
        'Deployment/fortune: container server mounts volume "html", which the pod does not declare',
        'Deployment/fortune: securityContext.runAsUser must be 1000',
      ]);
    });

    it("reports a selector that does not match the template's labels", () => {
      const deployment = workload('Deployment');
      deployment.spec.selector.matchLabels = { app: 'other' };
      assert.deepEqual(problemsOf(deployment, service), [
        "Deployment/fortune: spec.selector does not match the pod template's labels (app=other)",
      ]);
    });

    it('lets containers mount a volumeClaimTemplate, and checks that each replica’s claim can bind', () => {
      assert.deepEqual(problemsOf(statefulSet(), headless, service), []);
      assert.deepEqual(problemsOf(statefulSet('fast'), headless, service), [
        'StatefulSet/fortune: volumeClaimTemplate "html" can never bind: no volume of class "fast" is defined here, and the class has no provisioner',
      ]);
      const unmounted = statefulSet();
      const [template] = unmounted.spec.volumeClaimTemplates;
      assert.ok(template);
      template.metadata.name = 'data';
      assert.deepEqual(problemsOf(unmounted, headless, service), [
        'StatefulSet/fortune: container writer mounts volume "html", which the pod does not declare',
        'StatefulSet/fortune: container server mounts volume "html", which the pod does not declare',
        'StatefulSet/fortune: volumeClaimTemplate "data" is claimed for each replica but no container mounts it',
      ]);
    });

    it('insists that serviceName names a headless Service defined alongside', () => {
      assert.deepEqual(problemsOf(statefulSet(), service), [
        'StatefulSet/fortune: serviceName fortune-replicas names no Service defined here',
      ]);
      const notHeadless = { ...headless, spec: { ...headless.spec, clusterIP: undefined } };
      assert.deepEqual(problemsOf(statefulSet(), notHeadless, service), [
        'StatefulSet/fortune: serviceName fortune-replicas names a Service that is not headless: give it clusterIP: None',
      ]);
    });
  });

  describe('images, settings, probes and services', () => {
    it('reports an image this project does not build', () => {
      const pod = podWith((_, __, server) => {
        server.image = 'nginx:alpine';
      });
      assert.deepEqual(problemsOf(pod), [
        'Pod/fortune: container server runs nginx:alpine, which is not an image of this project (registry.test/server:1, registry.test/writer:1)',
      ]);
    });

    it('reports a setting the service would refuse at start, and a variable it does not read', () => {
      const pod = podWith((_, writer, server) => {
        server.env = [{ name: 'PORT', value: 'eighty' }];
        writer.env = [{ name: 'POD_NAEM', value: 'x' }];
      });
      const problems = problemsOf(pod);
      assert.ok(
        problems.includes('Pod/fortune: container writer sets POD_NAEM, which its service does not read'),
      );
      assert.ok(
        problems.includes(
          'Pod/fortune: container server would not start: PORT="eighty" is not valid: expected a port',
        ),
      );
    });

    it('reports a refused setting as a problem, also where the health port is read from the settings', () => {
      const [server, writer] = catalog.images as [ImageSpec, ImageSpec];
      // As the project's images do: the health port is what the parsed settings say.
      const strict: Catalog = {
        ...catalog,
        images: [
          { ...server, healthPort: (env) => Number((server.loadConfig(env) as { PORT: string }).PORT) },
          writer,
        ],
      };
      const pod = podWith((_, __, server) => {
        server.env = [{ name: 'PORT', value: 'eighty' }];
      });
      const { manifests } = parseManifests(stringify(pod), 'test.yaml');
      assert.deepEqual(
        checkManifests(manifests, strict).map((p) => `${p.object}: ${p.message}`),
        ['Pod/fortune: container server would not start: PORT="eighty" is not valid: expected a port'],
      );
    });

    it('reads a setting the downward API takes from the pod’s own labels, as the service would get it', () => {
      const fromLabel = (label: string) =>
        podWith((pod, __, server) => {
          (pod.metadata.labels as Record<string, string>).port = 'eighty';
          server.env = [
            { name: 'PORT', valueFrom: { fieldRef: { fieldPath: `metadata.labels['${label}']` } } },
          ];
        });
      const startProblems = (pod: Pod) => problemsOf(pod).filter((p) => p.includes('would not start'));
      assert.deepEqual(startProblems(fromLabel('port')), [
        'Pod/fortune: container server would not start: PORT="eighty" is not valid: expected a port',
      ]);
      assert.deepEqual(startProblems(fromLabel('prot')), [
        'Pod/fortune: container server would not start: PORT="" is not valid: expected a port',
      ]);
    });

    it('insists that a server that only reads mounts its volumes read-only', () => {
      const pod = podWith((_, __, server) => {
        server.volumeMounts = [{ name: 'html', mountPath: '/srv' } as never];
      });
      assert.deepEqual(problemsOf(pod), [
        'Pod/fortune: container server only serves files: mount "html" readOnly',
      ]);
    });

    it('reports probes on ports the container lacks, or where the service does not answer health checks', () => {
      const pod = podWith((_, writer, server) => {
        writer.livenessProbe = { httpGet: { path: '/healthz', port: 'helth' } };
        server.readinessProbe = { httpGet: { path: '/ready', port: 'http' } };
        server.env = [{ name: 'PORT', value: '9090' }];
      });
      assert.deepEqual(problemsOf(pod), [
        'Pod/fortune: container writer: livenessProbe port helth is not one of its ports',
        'Pod/fortune: container server: livenessProbe asks port 8080, but the service answers health checks on 9090',
        'Pod/fortune: container server: readinessProbe asks port 8080, but the service answers health checks on 9090',
        'Pod/fortune: container server: readinessProbe asks /ready, but the service answers /healthz and /readyz',
      ]);
    });

    it('reports a service that selects no pod, or targets a port no container has', () => {
      const lost = { ...service, spec: { ...service.spec, selector: { app: 'fortun' } } };
      assert.deepEqual(problemsOf(goodPod(), lost), [
        'Service/fortune: selects no pod defined here: check spec.selector against the pod labels',
      ]);
      const wrongPort = { ...service, spec: { ...service.spec, ports: [{ port: 80, targetPort: 'web' }] } };
      assert.deepEqual(problemsOf(goodPod(), wrongPort), [
        "Service/fortune: targetPort web is not a port of the pod's containers",
      ]);
    });
  });

  describe('init containers and native sidecars', () => {
    /** The pod with its writer as a native sidecar: an init container with restartPolicy Always. */
    const withSidecar = (change: (sidecar: Container, server: Container) => void = () => {}) =>
      podWith((pod, writer, server) => {
        (pod.spec as Record<string, unknown>).initContainers = [{ ...writer, restartPolicy: 'Always' }];
        pod.spec.containers = [server as never];
        const [sidecar] = (pod.spec as unknown as { initContainers: Container[] }).initContainers;
        change(sidecar as Container, server);
      });
    const sidecarService = {
      ...service,
      spec: { ...service.spec, ports: [{ port: 8081, targetPort: 'health' }] },
    };

    it('accepts a native sidecar with a startupProbe, and a Service aimed at its port', () => {
      const pod = withSidecar((sidecar) => {
        sidecar.startupProbe = { httpGet: { path: '/readyz', port: 'health' }, failureThreshold: 30 };
      });
      assert.deepEqual(problemsOf(pod, service, sidecarService), []);
    });

    it("checks a native sidecar's probes and ports as a container's, and insists on its probes", () => {
      const pod = withSidecar((sidecar) => {
        sidecar.startupProbe = { httpGet: { path: '/readyz', port: 'http' } };
        delete (sidecar as Partial<Container>).livenessProbe;
      });
      assert.deepEqual(problemsOf(pod), [
        'Pod/fortune: container writer: startupProbe port http is not one of its ports',
        'Pod/fortune: container writer: has no livenessProbe',
      ]);
    });

    it('reports probes on an init container that runs to completion, and restartPolicy where it does not apply', () => {
      const pod = withSidecar((sidecar, server) => {
        delete sidecar.restartPolicy;
        server.restartPolicy = 'Always';
      });
      assert.deepEqual(problemsOf(pod, sidecarService), [
        'Pod/fortune: init container writer runs to completion and cannot have a livenessProbe: give it restartPolicy: Always to make it a sidecar',
        'Pod/fortune: init container writer runs to completion and cannot have a readinessProbe: give it restartPolicy: Always to make it a sidecar',
        "Pod/fortune: container server: restartPolicy applies to init containers only (the pod's restartPolicy covers the others)",
        "Service/fortune: targetPort health is not a port of the pod's containers",
      ]);
    });
  });

  describe('security and resources', () => {
    it('insists on uid and gid 1000, a non-root user, and the runtime default seccomp profile', () => {
      const pod = podWith((pod) => {
        (pod.spec as Record<string, unknown>).securityContext = { runAsUser: 0 };
      });
      assert.deepEqual(problemsOf(pod), [
        'Pod/fortune: securityContext.runAsNonRoot must be true',
        'Pod/fortune: securityContext.runAsUser must be 1000',
        'Pod/fortune: securityContext.runAsGroup must be 1000',
        'Pod/fortune: securityContext.fsGroup must be 1000',
        'Pod/fortune: securityContext.seccompProfile.type must be RuntimeDefault',
      ]);
    });

    it('insists on no privilege escalation, a read-only root, no capabilities, requests, limits and probes', () => {
      const pod = podWith((_, writer) => {
        writer.securityContext = { capabilities: { add: ['NET_ADMIN'] } } as never;
        writer.resources = { requests: { cpu: '1', memory: '32Mi' }, limits: { cpu: '500m' } } as never;
        delete (writer as Partial<Container>).readinessProbe;
      });
      assert.deepEqual(problemsOf(pod), [
        'Pod/fortune: container writer: allowPrivilegeEscalation must be false',
        'Pod/fortune: container writer: readOnlyRootFilesystem must be true',
        'Pod/fortune: container writer: capabilities.drop must include ALL',
        'Pod/fortune: container writer: must not add capabilities',
        'Pod/fortune: container writer: requests more cpu (1) than its limit (500m)',
        'Pod/fortune: container writer: resources.limits.memory is missing',
        'Pod/fortune: container writer: has no readinessProbe',
      ]);
    });

    it('insists that a container writing to an in-memory emptyDir has memory to spare for it', () => {
      const inMemory = (sizeLimit?: string) =>
        podWith((pod) => {
          pod.spec.volumes = [
            { name: 'html', emptyDir: { medium: 'Memory', ...(sizeLimit ? { sizeLimit } : {}) } },
          ];
        });
      assert.deepEqual(problemsOf(inMemory('16Mi')), [], '64Mi leaves 48Mi beside 16Mi: the request fits');
      assert.deepEqual(problemsOf(inMemory('48Mi')), [
        'Pod/fortune: container writer writes to the in-memory volume "html" (up to 48Mi): its memory limit 64Mi leaves less than its request 32Mi beside a full volume',
      ]);
      assert.deepEqual(problemsOf(inMemory()), [
        `Pod/fortune: volume "html" is in memory without a sizeLimit: it may take all the pod's memory`,
      ]);
    });
  });
});
