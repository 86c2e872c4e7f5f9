// The k3d workflow scripts, as far as they go without a cluster (none can run here): their
// arguments, their messages when a tool or the cluster is missing, and, with DRY_RUN=1, exactly
// which commands they would run, in which order.
import assert from 'node:assert/strict';
import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { command, pathWithOnly, tempDir } from '@fortune-sidecar/testing';
import { parse, parseAllDocuments } from 'yaml';

// The checkout these scripts belong to.
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// The variants are the folders of k8s/ that kubectl apply -k takes, whatever runs their pods (a
// Pod, a StatefulSet, Deployments); k8s/images and k8s/git-server are parts the variants include.
const PARTS = ['git-server', 'images'];
const VARIANTS: string[] = [];
for (const entry of await readdir(join(ROOT, 'k8s'), { withFileTypes: true })) {
  const files = entry.isDirectory() ? await readdir(join(ROOT, 'k8s', entry.name)) : [];
  if (files.includes('kustomization.yaml') && !PARTS.includes(entry.name)) VARIANTS.push(entry.name);
}
VARIANTS.sort();

const run = (name: string, args: string[] = [], env: Record<string, string> = {}) =>
  command(join(ROOT, 'scripts', name), args, { env: { ...process.env, ...env } });

// k3d-demo.sh VARIANT with a stand-in kubectl in BIN, a shell script of LINES: its output, once
// it has exited 0.
const demo = async (bin: string, variant: string, lines: string[]) => {
  await writeFile(join(bin, 'kubectl'), ['#!/bin/sh', ...lines, ''].join('\n'));
  await chmod(join(bin, 'kubectl'), 0o755);
  const result = await run('k3d-demo.sh', [variant], { PATH: `${bin}:${process.env.PATH}` });
  assert.equal(result.code, 0, result.stdout + result.stderr);
  return result;
};
// What k3d-demo.sh says, without the timings of its steps.
const demoSaid = (stdout: string) =>
  stdout.split('\n').filter((line) => line.startsWith('[k3d-demo] ') && !line.includes('done in'));

// What bash makes of one printed line: the argv it would run.
const argv = async (line: string): Promise<string[]> => {
  const result = await command('bash', ['-c', `printf '%s\\0' ${line}`]);
  assert.equal(result.code, 0, `${line}: ${result.stderr}`);
  return result.stdout.split('\0').slice(0, -1);
};
// The commands a script prints with DRY_RUN=1, each as the argv it runs when pasted into bash.
const dryRun = async (name: string, args: string[] = [], env: Record<string, string> = {}) => {
  const result = await run(name, args, { DRY_RUN: '1', ...env });
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('+ '))
    .map((line) => line.slice(2));
  return Promise.all(lines.map(argv));
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
  'grep',
  'node',
  'docker',
];
const noKubectl = (await command('kubectl', ['version', '--client'])).code !== 0 && 'needs kubectl';
const K = ['kubectl', '--context', 'k3d-fortune'];

describe('k3d workflow scripts', () => {
  it('k3d-apply.sh, k3d-delete.sh and k3d-demo.sh name the variants when given none or another', async () => {
    for (const name of ['k3d-apply.sh', 'k3d-delete.sh', 'k3d-demo.sh']) {
      const none = await run(name);
      assert.equal(none.code, 1);
      assert.match(none.stderr, new RegExp(`which variant\\? one of: ${VARIANTS.join(' ')}\\n$`), name);
      const other = await run(name, ['images']);
      assert.equal(other.code, 1);
      assert.match(
        other.stderr,
        new RegExp(`unknown variant 'images': the variants are ${VARIANTS.join(' ')}\\n$`),
      );
    }
  });

  it('the variants include those whose pods a StatefulSet or Deployments run, and not the parts', async () => {
    const listed = (await run('k3d-apply.sh')).stderr
      .replace(/^.*one of: /, '')
      .trim()
      .split(' ');
    assert.ok(listed.includes('statefulset'), listed.join(' '));
    assert.ok(listed.includes('nfs'), listed.join(' '));
    for (const part of PARTS) assert.ok(!listed.includes(part), part);
  });

  it('k3d-up.sh creates the registry on the loopback address and a cluster of one server and one agent that uses it', async () => {
    assert.deepEqual(await dryRun('k3d-up.sh'), [
      ['k3d', 'registry', 'create', 'fortune-registry.localhost', '--port', '127.0.0.1:5050'],
      [
        'k3d',
        'cluster',
        'create',
        'fortune',
        '--servers',
        '1',
        '--agents',
        '1',
        '--registry-use',
        'k3d-fortune-registry.localhost:5050',
        '--wait',
      ],
      [
        'docker',
        'exec',
        'k3d-fortune-agent-0',
        'sh',
        '-c',
        'mkdir -p /var/lib/fortune-sidecar/htdocs /var/lib/fortune-sidecar/pv && chown -R 1000:1000 /var/lib/fortune-sidecar',
      ],
      [...K, 'wait', '--for=condition=Ready', 'node', '--all', '--timeout=180s'],
    ]);
  });

  it('DRY_RUN=1 prints each command so that, pasted into bash, it runs with the same arguments', async () => {
    const result = await run('k3d-up.sh', ['--gitrepo'], { DRY_RUN: '1' });
    const printed = result.stdout.split('\n').filter((line) => line.startsWith('+ docker exec '));
    assert.equal(printed.length, 1, result.stdout);
    // One argument with spaces and &&, which an unquoted line would split into six.
    assert.deepEqual((await argv(printed[0]?.slice(2) ?? '')).slice(3), [
      'sh',
      '-c',
      'mkdir -p /var/lib/fortune-sidecar/htdocs /var/lib/fortune-sidecar/pv && chown -R 1000:1000 /var/lib/fortune-sidecar',
    ]);
  });

  it('k3d-up.sh --gitrepo turns the gitRepo driver on in the API server and every kubelet, on Kubernetes 1.35 unless told', async () => {
    const create = async (env: Record<string, string> = {}) =>
      (await dryRun('k3d-up.sh', ['--gitrepo'], env)).find((args) => args[1] === 'cluster')?.slice(11);
    const gates = [
      '--k3s-arg',
      '--kube-apiserver-arg=feature-gates=GitRepoVolumeDriver=true@server:*',
      '--k3s-arg',
      '--kubelet-arg=feature-gates=GitRepoVolumeDriver=true@server:*;agent:*',
    ];
    assert.deepEqual(await create(), ['--image', 'rancher/k3s:v1.35.1-k3s1', ...gates]);
    assert.deepEqual(await create({ K3S_IMAGE: 'rancher/k3s:v1.33.4-k3s1' }), [
      '--image',
      'rancher/k3s:v1.33.4-k3s1',
      ...gates,
    ]);
  });

  it('k3d-up.sh --gitrepo refuses a Kubernetes whose kubelet would not accept the gate', async () => {
    for (const image of ['rancher/k3s:v1.31.5-k3s1', 'rancher/k3s:v1.36.0-k3s1']) {
      const result = await run('k3d-up.sh', ['--gitrepo'], { DRY_RUN: '1', K3S_IMAGE: image });
      assert.equal(result.code, 1, image);
      assert.equal(
        result.stderr,
        `[k3d-up] error: --gitrepo needs Kubernetes 1.33, 1.34 or 1.35 (the GitRepoVolumeDriver gate is unknown before 1.33 and locked off from 1.36), and K3S_IMAGE=${image} is not one: unset it for rancher/k3s:v1.35.1-k3s1\n`,
      );
      assert.doesNotMatch(result.stdout, /^\+ /m, 'nothing created');
    }
  });

  it('k3d-up.sh --gitrepo refuses to pass over a cluster that exists, where the gate would not be set', async () => {
    // Stand-ins for a Docker engine that answers and a k3d whose registry and cluster exist.
    const bin = await tempDir('fortune-k3d-');
    const fake = async (name: string, script: string) => {
      await writeFile(join(bin, name), `#!/bin/sh\n${script}\n`);
      await chmod(join(bin, name), 0o755);
    };
    await fake('docker', 'echo "docker $*" >>"$(dirname "$0")/calls"');
    await fake('kubectl', 'echo "kubectl $*" >>"$(dirname "$0")/calls"');
    await fake(
      'k3d',
      'echo "k3d $*" >>"$(dirname "$0")/calls"; [ "$1 $2" = "registry list" ] && echo "k3d-fortune-registry.localhost   registry   running"; exit 0',
    );
    const PATH = `${bin}:${process.env.PATH}`;
    const result = await run('k3d-up.sh', ['--gitrepo'], { PATH });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.equal(
      result.stderr,
      '[k3d-up] error: cluster fortune already exists, and --gitrepo only applies to a new one: run scripts/k3d-down.sh first (the registry and its images stay)\n',
    );
    const calls = await readFile(join(bin, 'calls'), 'utf8');
    assert.doesNotMatch(calls, /k3d cluster create|docker exec/);
    const again = await run('k3d-up.sh', [], { PATH });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /cluster fortune already exists \(scripts\/k3d-down\.sh deletes it\)/);
  });

  it('k3d-apply.sh applies the variant with kubectl apply -k, then waits for its pods, the git server first, and for its StatefulSets and Deployments, the writer first', {
    skip: noKubectl,
  }, async () => {
    for (const variant of VARIANTS.filter((name) => name !== 'nfs')) {
      const result = await run('k3d-apply.sh', [variant], { DRY_RUN: '1' });
      assert.equal(result.code, 0, result.stderr);
      const printed = result.stdout.split('\n').filter((line) => line.startsWith('+ '));
      assert.deepEqual(await Promise.all(printed.map((line) => argv(line.slice(2)))), [
        [...K, 'apply', '-k', `k8s/${variant}`],
      ]);
      const waited = [
        ...result.stdout.matchAll(/waiting for (?:pod (\S+) to be ready|(\S+) to roll out)/g),
      ].map((m) => m[1] ?? m[2]);
      if (variant === 'statefulset') assert.deepEqual(waited, ['statefulset/fortune']);
      else assert.equal(waited.at(-1), 'fortune', variant);
      if (variant.startsWith('git-sync')) assert.deepEqual(waited, ['git-server', 'fortune'], variant);
    }
  });

  // A cluster of stand-ins for k3d-apply.sh: kubectl records its calls, renders with the real
  // kubectl (with the NFS server set, as a user would), and reports each rollout done at its
  // second look, its pod Pending before; docker answers for the nodes, each with or without mount.nfs.
  const standInCluster = async (mountNfs: boolean) => {
    const real = (await command('sh', ['-c', 'command -v kubectl'])).stdout.trim();
    const bin = await tempDir('fortune-apply-');
    await writeFile(
      join(bin, 'kubectl'),
      [
        '#!/bin/sh',
        'dir=$(dirname "$0")',
        `[ "$1" = --context ] || { ${real} "$@" | sed 's/nfs-server.example.invalid/192.0.2.10/'; exit; }`,
        'shift 2',
        'echo "$*" >>"$dir/calls"',
        'case "$*" in',
        '  "get nodes --output name") printf "node/k3d-fortune-server-0\\nnode/k3d-fortune-agent-0\\n" ;;',
        '  "get statefulset/"* | "get deployment/"*) printf "app.kubernetes.io/name=fortune," ;;',
        '  "get pods --selector "*) echo "fortune-0   Pending   waiting" ;;',
        '  "rollout status "*) [ -f "$dir/looked" ] && exit 0; touch "$dir/looked"; exit 1 ;;',
        'esac',
        '',
      ].join('\n'),
    );
    await writeFile(
      join(bin, 'docker'),
      [
        '#!/bin/sh',
        'echo "docker $*" >>"$(dirname "$0")/calls"',
        `[ "$1" = exec ] && exit ${mountNfs ? 0 : 1}`,
        'exit 0',
        '',
      ].join('\n'),
    );
    await chmod(join(bin, 'kubectl'), 0o755);
    await chmod(join(bin, 'docker'), 0o755);
    const calls = async () =>
      (await readFile(join(bin, 'calls'), 'utf8'))
        .split('\n')
        .filter((line) => line !== '' && !/^--request-timeout=\S+ get --raw /.test(line));
    return { env: { PATH: `${bin}:${process.env.PATH}` }, calls };
  };

  it('k3d-apply.sh statefulset waits with kubectl rollout status, showing the pods until the rollout is done', {
    skip: noKubectl,
  }, async () => {
    const cluster = await standInCluster(true);
    const result = await run('k3d-apply.sh', ['statefulset'], cluster.env);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const calls = await cluster.calls();
    assert.equal(calls[0], 'apply -k k8s/statefulset');
    assert.deepEqual(
      calls.filter((line) => line.startsWith('rollout ')),
      ['rollout status statefulset/fortune --timeout=2s', 'rollout status statefulset/fortune --timeout=2s'],
    );
    assert.ok(
      calls.includes(
        'get pods --selector app.kubernetes.io/name=fortune --no-headers -o custom-columns=NAME:.metadata.name,PHASE:.status.phase,STATES:.status.containerStatuses[*].state',
      ),
      calls.join('\n'),
    );
    assert.match(
      result.stdout,
      /waiting for statefulset\/fortune to roll out\n.*fortune-0 {3}Pending {3}waiting\n.*done in \d+ s: rolled out\n/,
    );
  });

  it('k3d-apply.sh nfs refuses while the NFS server is the placeholder, before anything is applied', {
    skip: noKubectl,
  }, async () => {
    const result = await run('k3d-apply.sh', ['nfs'], { DRY_RUN: '1' });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      '[k3d-apply] error: k8s/nfs names no NFS server yet: set yours and the folder it exports in the CHANGE ME patch of k8s/nfs/kustomization.yaml (nfs-server.example.invalid and /exports/fortune are placeholders). See docs/guide/nfs.md.\n',
    );
    assert.doesNotMatch(result.stdout, /^\+ /m, 'nothing applied');
  });

  it('k3d-apply.sh nfs refuses when the nodes have no mount.nfs, naming them, and applies when they have', {
    skip: noKubectl,
  }, async () => {
    const without = await standInCluster(false);
    const refused = await run('k3d-apply.sh', ['nfs'], without.env);
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    assert.equal(
      refused.stderr,
      '[k3d-apply] error: the node(s) k3d-fortune-server-0 k3d-fortune-agent-0 cannot mount NFS: no mount.nfs, the NFS client (nfs-common on Debian and Ubuntu, nfs-utils on Fedora and RHEL), which the k3s image of a k3d node does not have. The pods would stay in ContainerCreating. See docs/guide/nfs.md.\n',
    );
    const calls = await without.calls();
    assert.ok(
      calls.includes('docker exec k3d-fortune-agent-0 sh -c command -v mount.nfs || [ -x /sbin/mount.nfs ]'),
      calls.join('\n'),
    );
    assert.ok(!calls.some((line) => line.startsWith('apply ')), 'nothing applied');

    const ready = await standInCluster(true);
    const applied = await run('k3d-apply.sh', ['nfs'], ready.env);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.deepEqual(
      (await ready.calls()).filter((line) => /^(apply|rollout) /.test(line)),
      [
        'apply -k k8s/nfs',
        'rollout status deployment/fortune-writer --timeout=2s',
        'rollout status deployment/fortune-writer --timeout=2s',
        'rollout status deployment/fortune --timeout=2s',
      ],
    );
  });

  it("k3d-demo.sh configmap applies a new list under the ConfigMap's name and labels, waits until it is served, then shows both mounts", {
    skip: noKubectl,
  }, async () => {
    // A cluster of stand-ins: kubectl answers from files, its port-forward points at a web server
    // of the test that serves the list applied last, and kubectl's offline commands (create
    // --dry-run=client, label --local) are the real kubectl's.
    const real = (await command('sh', ['-c', 'command -v kubectl'])).stdout.trim();
    const bin = await tempDir('fortune-demo-');
    const original = 'The first list.\n';
    const server = createServer((_request, response) => {
      readFile(join(bin, 'applied.yaml'), 'utf8').then(
        (text) => response.end((parse(text) as { data: Record<string, string> }).data['fortunes.txt']),
        () => response.end(original),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const result = await demo(bin, 'configmap', [
        `[ "$1" = --context ] || exec ${real} "$@"`,
        'shift 2',
        'echo "$*" >>"$(dirname "$0")/calls"',
        'case "$1" in',
        `  port-forward) echo "Forwarding from 127.0.0.1:${port} -> 8080"; exec sleep 30 ;;`,
        '  apply) cat >"$(dirname "$0")/applied.yaml"; echo configmap/fortune-list configured ;;',
        'esac',
      ]);
      const applied = parse(await readFile(join(bin, 'applied.yaml'), 'utf8'));
      const manifest = parse(await readFile(join(ROOT, 'k8s', 'configmap', 'configmap.yaml'), 'utf8'));
      assert.equal(applied.kind, 'ConfigMap');
      assert.equal(applied.metadata.name, manifest.metadata.name);
      assert.deepEqual(applied.metadata.labels, manifest.metadata.labels, 'apply keeps the labels');
      const message = applied.data['fortunes.txt'].trim();
      assert.match(message, /^Changed at \d\d:\d\d:\d\d: /);
      assert.match(result.stdout, new RegExp(`done in \\d+ s: served "${message}"`));
      const calls = (await readFile(join(bin, 'calls'), 'utf8'))
        .split('\n')
        .filter((line) => !/^(--request-timeout=\S+ get --raw|port-forward) /.test(line));
      assert.deepEqual(calls, [
        'apply --filename -',
        'logs fortune -c html-generator',
        'get pod fortune',
        'exec fortune -c html-generator -- cat /etc/fortunes/fortunes.txt',
        'exec fortune -c html-generator -- cat /etc/fortunes-subpath/fortunes.txt',
        '',
      ]);
    } finally {
      server.close();
    }
  });

  for (const [variant, folder] of [
    ['downwardapi', '/etc/podinfo'],
    ['projected', '/etc/fortune'],
  ] as const) {
    it(`k3d-demo.sh ${variant} relabels the pod, waits until the volume's labels file shows it, then prints the volume's and the environment's value`, async () => {
      // A kubelet of stand-ins: kubectl keeps the pod's label in a file, rewrites it a few reads
      // after `kubectl label` (the kubelet's sync), and answers exec from it.
      const bin = await tempDir('fortune-demo-');
      await writeFile(join(bin, 'color'), 'blue');
      const result = await demo(bin, variant, [
        'dir=$(dirname "$0")',
        'shift 2',
        'echo "$*" >>"$dir/calls"',
        'case "$*" in',
        '  "label pod fortune --overwrite fortune-sidecar/color="*) echo "$5" | cut -d= -f2 >"$dir/next"; echo 0 >"$dir/reads" ;;',
        `  "exec fortune -c html-generator -- cat ${folder}/labels")`,
        '    if [ -f "$dir/next" ]; then',
        '      reads=$(($(cat "$dir/reads") + 1)); echo $reads >"$dir/reads"',
        '      [ $reads -lt 3 ] || mv "$dir/next" "$dir/color"',
        '    fi',
        `    printf 'app.kubernetes.io/name="fortune"\\nfortune-sidecar/color="%s"\\nfortune-sidecar/variant="${variant}"' "$(cat "$dir/color")" ;;`,
        '  "exec fortune -c html-generator -- printenv FORTUNE_LABEL_AT_START") echo blue ;;',
        `  "exec fortune -c html-generator -- sh -c ls -lL ${folder}/*") echo "-r--r----- 1 root 1000 17 Nov 30 10:42 ${folder}/token" ;;`,
        'esac',
      ]);
      const said = result.stdout.split('\n').filter((line) => line.startsWith('[k3d-demo] '));
      assert.deepEqual(said.slice(variant === 'projected' ? 1 : 0), [
        '[k3d-demo] the label in the volume: fortune-sidecar/color="blue"',
        '[k3d-demo] labelling the pod fortune-sidecar/color=green; waiting for the volume to show it',
        said.find((line) => line.includes('done in')),
        '[k3d-demo] in the volume now:              fortune-sidecar/color="green"',
        '[k3d-demo] in the environment since start: blue',
        '[k3d-demo] => the volume follows the label; the environment keeps the value it had at start',
      ]);
      assert.match(
        said.find((line) => line.includes('done in')) ?? '',
        /^\[k3d-demo\] {3}done in \d+ s: rewritten by the kubelet, without restarting the pod$/,
      );
      const calls = (await readFile(join(bin, 'calls'), 'utf8')).split('\n');
      assert.ok(
        calls.includes('label pod fortune --overwrite fortune-sidecar/color=green'),
        calls.join('\n'),
      );
      if (variant === 'projected')
        assert.match(result.stdout, /token/, "lists the Secret's file with its mode");
    });
  }

  it("k3d-demo.sh statefulset shows each replica's claim and history, scales to 1 and back to 2, and compares fortune-1's history", async () => {
    // Replicas of stand-ins: each port-forward to a replica reaches a web server of the test that
    // serves that replica's history, fortune-1's one fortune longer at each read; kubectl records
    // the rest and calls every claim Bound.
    const bin = await tempDir('fortune-demo-');
    const reads = new Map<string, number>();
    const replica = (name: string, first: number) =>
      createServer((_request, response) => {
        const count = first + (reads.get(name) ?? 0);
        reads.set(name, (reads.get(name) ?? 0) + 1);
        const fortune = { text: 'A fortune.', writtenAt: '2026-11-30T10:44:00Z', host: name };
        response.end(JSON.stringify({ format: 1, fortunes: Array(count).fill(fortune) }));
      });
    const servers = [replica('fortune-0', 7), replica('fortune-1', 3)];
    const ports: number[] = [];
    for (const server of servers) {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      ports.push((server.address() as AddressInfo).port);
    }
    try {
      const result = await demo(bin, 'statefulset', [
        'shift 2',
        'echo "$*" >>"$(dirname "$0")/calls"',
        'case "$*" in',
        `  "port-forward pod/fortune-0 "*) echo "Forwarding from 127.0.0.1:${ports[0]} -> 8080"; exec sleep 30 ;;`,
        `  "port-forward pod/fortune-1 "*) echo "Forwarding from 127.0.0.1:${ports[1]} -> 8080"; exec sleep 30 ;;`,
        '  "get pvc "*) printf Bound ;;',
        '  "get statefulset/fortune "*) printf "app.kubernetes.io/name=fortune," ;;',
        'esac',
      ]);
      const said = demoSaid(result.stdout);
      assert.deepEqual(said, [
        '[k3d-demo] each replica, its own claim and its own history:',
        '[k3d-demo]   fortune-0: claim html-fortune-0 Bound, 7 fortunes',
        '[k3d-demo]   fortune-1: claim html-fortune-1 Bound, 3 fortunes',
        "[k3d-demo] waiting for three fortunes in fortune-1's history (one every 10 s)",
        "[k3d-demo] fortune-1's history before: 4 fortunes",
        '[k3d-demo] scaling statefulset/fortune to 1 replica: the highest, fortune-1, goes',
        '[k3d-demo] => the claim html-fortune-1 stays Bound without its replica (whenScaled: Retain)',
        '[k3d-demo] scaling statefulset/fortune back to 2 replicas',
        '[k3d-demo] waiting for statefulset/fortune to roll out',
        "[k3d-demo] fortune-1's history after:  5 fortunes",
        '[k3d-demo] => fortune-1 came back to its claim html-fortune-1, and to the history it had',
      ]);
      const calls = (await readFile(join(bin, 'calls'), 'utf8'))
        .split('\n')
        .filter((line) => /^(scale|wait|rollout|get pvc|port-forward pod\/fortune-1) /.test(line));
      assert.deepEqual(calls, [
        'get pvc html-fortune-0 --output jsonpath={.status.phase}',
        'get pvc html-fortune-1 --output jsonpath={.status.phase}',
        'port-forward pod/fortune-1 :8080',
        'port-forward pod/fortune-1 :8080',
        'scale statefulset/fortune --replicas=1',
        'wait --for=delete pod/fortune-1 --timeout=180s',
        'get pvc html-fortune-1 --output jsonpath={.status.phase}',
        'scale statefulset/fortune --replicas=2',
        'rollout status statefulset/fortune --timeout=2s',
        'port-forward pod/fortune-1 :8080',
      ]);
    } finally {
      for (const server of servers) server.close();
    }
  });

  for (const kept of [true, false]) {
    it(`k3d-demo.sh nfs compares the history of web servers on two nodes, replaces the writer's pod, and says whether the history ${kept ? 'continued' : 'started over'}`, async () => {
      // A share of stand-ins: every port-forward reaches a web server of the test that serves the
      // one history; once the writer's pod is deleted, the new writer's fortune tops it, over the
      // old writer's (a share kept) or alone (a share lost).
      const bin = await tempDir('fortune-demo-');
      const fortune = (host: string) => ({ text: 'A fortune.', writtenAt: '2026-11-30T10:44:00.000Z', host });
      const old = Array(4).fill(fortune('fortune-writer-old'));
      const server = createServer((_request, response) => {
        readFile(join(bin, 'deleted'))
          .then(
            () => [fortune('fortune-writer-new'), ...(kept ? old : [])],
            () => old,
          )
          .then((fortunes) => response.end(JSON.stringify({ format: 1, fortunes })));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      try {
        const result = await demo(bin, 'nfs', [
          'dir=$(dirname "$0")',
          'shift 2',
          'echo "$*" >>"$dir/calls"',
          'case "$*" in',
          `  "port-forward "*) echo "Forwarding from 127.0.0.1:${port} -> 8080"; exec sleep 30 ;;`,
          '  "get pods --selector app.kubernetes.io/name=fortune --output "*) printf "fortune-a=node-a\\nfortune-b=node-b\\n" ;;',
          '  "get pods --selector app.kubernetes.io/name=fortune-writer --output jsonpath={.items[0]"*) printf fortune-writer-old ;;',
          '  "get pods --selector app.kubernetes.io/name=fortune-writer --output jsonpath={.items[*]"*) printf fortune-writer-new ;;',
          '  "delete pod fortune-writer-old --wait=true") touch "$dir/deleted" ;;',
          '  "get pod fortune-writer-new --output jsonpath={.spec.nodeName}") printf node-b ;;',
          'esac',
        ]);
        const said = demoSaid(result.stdout);
        const served = '4 fortunes, the newest written at 2026-11-30T10:44:00.000Z by fortune-writer-old';
        assert.deepEqual(said, [
          '[k3d-demo] the pods, and their nodes:',
          `[k3d-demo]   fortune-a on node-a: ${served}`,
          `[k3d-demo]   fortune-b on node-b: ${served}`,
          '[k3d-demo] => the same history from the nodes node-a node-b: each mounts the one share',
          '[k3d-demo] waiting for three fortunes in the history (one every 10 s)',
          "[k3d-demo] history before: 4 fortunes; the writer's pod is fortune-writer-old",
          "[k3d-demo] deleting the writer's pod fortune-writer-old: its Deployment starts another",
          '[k3d-demo] waiting for pod fortune-writer-new to be ready',
          "[k3d-demo] waiting for fortune-writer-new's first fortune",
          ...(kept
            ? [
                '[k3d-demo] history after:  5 fortunes, 4 of them written by fortune-writer-old',
                '[k3d-demo] => the new writer fortune-writer-new, on node-b, continued the history on the share',
              ]
            : [
                '[k3d-demo] history after:  1 fortune, 0 of them written by fortune-writer-old',
                "[k3d-demo] => the history started over: the new writer found nothing of fortune-writer-old's on the share",
              ]),
        ]);
        const calls = (await readFile(join(bin, 'calls'), 'utf8')).split('\n');
        assert.ok(
          calls.includes('get pods --output wide --selector fortune-sidecar/variant=nfs'),
          calls.join('\n'),
        );
        for (const pod of ['fortune-a', 'fortune-b'])
          assert.ok(calls.includes(`port-forward pod/${pod} :8080`), pod);
      } finally {
        server.close();
      }
    });
  }

  it('k3d-delete.sh deletes the pods, then the claims, then the rest of the variant, as the seed explains', {
    skip: noKubectl,
  }, async () => {
    const selector = ['--selector', 'fortune-sidecar/variant=pv-pvc', '--ignore-not-found', '--wait=true'];
    assert.deepEqual(await dryRun('k3d-delete.sh', ['pv-pvc']), [
      [...K, 'delete', 'pods', ...selector],
      [...K, 'delete', 'persistentvolumeclaims', ...selector],
      [...K, 'delete', '-k', 'k8s/pv-pvc', '--ignore-not-found', '--wait=true'],
    ]);
  });

  it('k3d-delete.sh deletes a StatefulSet or Deployments with their pods first, then the claims, then the rest', {
    skip: noKubectl,
  }, async () => {
    const workloads = {
      statefulset: ['statefulset/fortune'],
      nfs: ['deployment/fortune-writer', 'deployment/fortune'],
    };
    for (const [variant, names] of Object.entries(workloads)) {
      const selector = [
        '--selector',
        `fortune-sidecar/variant=${variant}`,
        '--ignore-not-found',
        '--wait=true',
      ];
      assert.deepEqual(await dryRun('k3d-delete.sh', [variant]), [
        [...K, 'delete', ...names, '--cascade=foreground', '--ignore-not-found', '--wait=true'],
        [...K, 'delete', 'persistentvolumeclaims', ...selector],
        [...K, 'delete', '-k', `k8s/${variant}`, '--ignore-not-found', '--wait=true'],
      ]);
    }
  });

  it("the claims of the StatefulSet's volumeClaimTemplates carry the variant's label, which k3d-delete.sh selects them by", {
    skip: noKubectl,
  }, async () => {
    const rendered = await command('kubectl', ['kustomize', join(ROOT, 'k8s', 'statefulset')]);
    assert.equal(rendered.code, 0, rendered.stderr);
    const statefulSet = parseAllDocuments(rendered.stdout)
      .map((document) => document.toJS())
      .find((object) => object.kind === 'StatefulSet');
    const templates = statefulSet.spec.volumeClaimTemplates as {
      metadata: { labels?: Record<string, string> };
    }[];
    assert.ok(templates.length > 0);
    for (const template of templates) {
      assert.equal(template.metadata.labels?.['fortune-sidecar/variant'], 'statefulset');
    }
  });

  it('k3d-down.sh deletes the cluster, and the registry only when asked', async () => {
    assert.deepEqual(await dryRun('k3d-down.sh'), [['k3d', 'cluster', 'delete', 'fortune']]);
    assert.deepEqual(await dryRun('k3d-down.sh', ['--registry']), [
      ['k3d', 'cluster', 'delete', 'fortune'],
      ['k3d', 'registry', 'delete', 'k3d-fortune-registry.localhost'],
    ]);
  });

  it("on_exit in a subshell, as $(fetch /) calls it, runs that subshell's clean-ups at its exit and not the script's", async () => {
    const result = await command('bash', [
      '-c',
      `SCRIPT_NAME=t; . ${join(ROOT, 'scripts', 'lib.sh')}; on_exit "echo script"; echo "[$(on_exit "echo subshell"; echo value)]"`,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '[value\nsubshell]\nscript\n');
  });

  it('KUBE_CONTEXT points every kubectl command at another cluster', { skip: noKubectl }, async () => {
    assert.deepEqual(await dryRun('k3d-apply.sh', ['emptydir'], { KUBE_CONTEXT: 'kind-demo' }), [
      ['kubectl', '--context', 'kind-demo', 'apply', '-k', 'k8s/emptydir'],
    ]);
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
