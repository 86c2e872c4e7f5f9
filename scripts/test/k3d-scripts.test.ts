// The k3d workflow scripts, as far as they go without a cluster (none can run here): their
// arguments, their messages when a tool or the cluster is missing, and, with DRY_RUN=1, exactly
// which commands they would run, in which order.
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { command, pathWithOnly, REPO_ROOT, tempDir } from '@fortune-sidecar/testing';

const VARIANTS = (await readdir(join(REPO_ROOT, 'k8s'), { withFileTypes: true }))
  .filter((entry) => entry.isDirectory() && entry.name !== 'test')
  .map((entry) => entry.name)
  .sort();

const run = (name: string, args: string[] = [], env: Record<string, string> = {}) =>
  command(join(REPO_ROOT, 'scripts', name), args, { env: { ...process.env, ...env } });
const dryRun = async (name: string, ...args: string[]) => {
  const result = await run(name, args, { DRY_RUN: '1' });
  assert.equal(result.code, 0, result.stderr);
  return result.stdout
    .split('\n')
    .filter((line) => line.startsWith('+ '))
    .map((line) => line.slice(2));
};

const BASICS = [
  'bash',
  'dirname',
  'basename',
  'sed',
  'awk',
  'tr',
  'sort',
  'cat',
  'mktemp',
  'rm',
  'node',
  'docker',
];
const noKubectl = (await command('kubectl', ['version', '--client'])).code !== 0 && 'needs kubectl';

describe('k3d workflow scripts', () => {
  it('k3d-apply.sh, k3d-delete.sh and k3d-demo.sh name the variants when given none or another', async () => {
    for (const name of ['k3d-apply.sh', 'k3d-delete.sh', 'k3d-demo.sh']) {
      const none = await run(name);
      assert.equal(none.code, 1);
      assert.match(none.stderr, new RegExp(`which variant\\? one of: ${VARIANTS.join(' ')}\\n$`), name);
      const other = await run(name, ['nfs']);
      assert.equal(other.code, 1);
      assert.match(
        other.stderr,
        new RegExp(`unknown variant 'nfs': the variants are ${VARIANTS.join(' ')}\\n$`),
      );
    }
  });

  it('k3d-up.sh creates the registry and a cluster of one server and one agent that uses it', async () => {
    const commands = await dryRun('k3d-up.sh');
    assert.deepEqual(commands, [
      'k3d registry create fortune-registry.localhost --port 5050',
      'k3d cluster create fortune --servers 1 --agents 1 --registry-use k3d-fortune-registry.localhost:5050 --wait',
      'docker exec k3d-fortune-agent-0 sh -c mkdir -p /var/lib/fortune-sidecar/htdocs /var/lib/fortune-sidecar/pv && chown -R 1000:1000 /var/lib/fortune-sidecar',
      'kubectl --context k3d-fortune wait --for=condition=Ready node --all --timeout=180s',
    ]);
  });

  it('k3d-up.sh --gitrepo turns the gitRepo driver on in the API server and every kubelet, on the image asked for', async () => {
    const result = await run('k3d-up.sh', ['--gitrepo'], {
      DRY_RUN: '1',
      K3S_IMAGE: 'rancher/k3s:v1.33.4-k3s1',
    });
    assert.match(
      result.stdout,
      /\+ k3d cluster create .* --image rancher\/k3s:v1\.33\.4-k3s1 --k3s-arg --kube-apiserver-arg=feature-gates=GitRepoVolumeDriver=true@server:\* --k3s-arg --kubelet-arg=feature-gates=GitRepoVolumeDriver=true@server:\*;agent:\*\n/,
    );
  });

  it('k3d-apply.sh applies storage before the pods that use it, and the git server before its client', async () => {
    const applied = async (variant: string) =>
      (await dryRun('k3d-apply.sh', variant)).map((line) =>
        line.replace('kubectl --context k3d-fortune apply -f ', ''),
      );
    assert.deepEqual(await applied('emptydir'), ['k8s/emptydir/pod.yaml', 'k8s/emptydir/service.yaml']);
    assert.deepEqual(await applied('pv-pvc'), [
      'k8s/pv-pvc/storageclass.yaml',
      'k8s/pv-pvc/pv.yaml',
      'k8s/pv-pvc/pvc.yaml',
      'k8s/pv-pvc/pod.yaml',
      'k8s/pv-pvc/service.yaml',
    ]);
    assert.deepEqual(await applied('git-sync'), [
      'k8s/git-sync/git-server.yaml',
      'k8s/git-sync/pod.yaml',
      'k8s/git-sync/service.yaml',
    ]);
    for (const variant of VARIANTS) {
      const files = (await readdir(join(REPO_ROOT, 'k8s', variant))).map((file) => `k8s/${variant}/${file}`);
      assert.deepEqual(
        (await applied(variant)).sort(),
        files.sort(),
        `${variant}: every manifest is applied`,
      );
    }
  });

  it('k3d-delete.sh deletes the pod, then the claim, then the volume, as the seed explains', async () => {
    const deleted = (await dryRun('k3d-delete.sh', 'pv-pvc')).map((line) =>
      line
        .replace('kubectl --context k3d-fortune delete -f ', '')
        .replace(' --ignore-not-found --wait=true', ''),
    );
    assert.deepEqual(deleted, [
      'k8s/pv-pvc/service.yaml',
      'k8s/pv-pvc/pod.yaml',
      'k8s/pv-pvc/pvc.yaml',
      'k8s/pv-pvc/pv.yaml',
      'k8s/pv-pvc/storageclass.yaml',
    ]);
  });

  it('k3d-down.sh deletes the cluster, and the registry only when asked', async () => {
    assert.deepEqual(await dryRun('k3d-down.sh'), ['k3d cluster delete fortune']);
    assert.deepEqual(await dryRun('k3d-down.sh', '--registry'), [
      'k3d cluster delete fortune',
      'k3d registry delete k3d-fortune-registry.localhost',
    ]);
  });

  it('KUBE_CONTEXT points every kubectl command at another cluster', async () => {
    const result = await run('k3d-apply.sh', ['emptydir'], { DRY_RUN: '1', KUBE_CONTEXT: 'kind-demo' });
    assert.match(result.stdout, /^\+ kubectl --context kind-demo apply -f k8s\/emptydir\/pod.yaml$/m);
  });

  it('without kubectl or k3d, the scripts say which is missing and where to get it', async () => {
    const PATH = await pathWithOnly(...BASICS);
    const apply = await run('k3d-apply.sh', ['emptydir'], { PATH });
    assert.equal(apply.code, 1);
    assert.equal(
      apply.stderr,
      '[k3d-apply] error: kubectl is not installed. Install kubectl (https://kubernetes.io/docs/tasks/tools/).\n',
    );
    const down = await run('k3d-down.sh', [], { PATH });
    assert.match(down.stderr, /^\[k3d-down\] error: k3d is not installed\. Install k3d \(https:\/\/k3d\.io/);
  });

  it('when no cluster answers, they say so and how to create one', { skip: noKubectl }, async () => {
    const kubeconfig = join(await tempDir('fortune-kubeconfig-'), 'config');
    await writeFile(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: gone, cluster: {server: "https://127.0.0.1:9"}}]',
        'users: [{name: gone, user: {}}]',
        'contexts: [{name: k3d-fortune, context: {cluster: gone, user: gone}}]',
        'current-context: k3d-fortune',
        '',
      ].join('\n'),
    );
    for (const name of ['k3d-apply.sh', 'k3d-curl.sh', 'k3d-demo.sh']) {
      const result = await run(name, name === 'k3d-curl.sh' ? [] : ['emptydir'], { KUBECONFIG: kubeconfig });
      assert.equal(result.code, 1, name);
      assert.match(
        result.stderr,
        /no cluster answers on the kubectl context k3d-fortune\. Create it with scripts\/k3d-up\.sh/,
        name,
      );
    }
  });
});
