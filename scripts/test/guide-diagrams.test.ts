// Every page of docs/guide opens with a picture of its volume kind: a Mermaid flowchart before the
// page's second heading, drawn from the page's own manifests (each container by name, each mount
// at its path, a dotted arrow exactly where the mount is read-only), in the visual language that
// docs/guide/README.md defines once under "How to read the pictures": the same classDef names and
// colours on every page. Each picture is then rendered by mermaid's own browser bundle in Debian's
// Chromium, offline, and must come back as an SVG that names the page's containers.
/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { containersOf, loadManifests, podsOf } from '@fortune-sidecar/manifest-check';
import { REPO_ROOT, skipUnlessAvailable } from '@fortune-sidecar/testing';
import { type Browser, launchChromium, newContext, type Page } from '@fortune-sidecar/testing/browser';

const GUIDE = join(REPO_ROOT, 'docs', 'guide');
const INDEX = 'README.md';
const LEGEND_HEADING = 'How to read the pictures';

/**
 * Each page of the guide: the variants (folders of k8s/) whose pods its picture draws, and the
 * words by which the index's overview picture shows its kind.
 */
const PAGES: Record<string, { readonly variants: readonly string[]; readonly kind: string }> = {
  'emptydir.md': { variants: ['emptydir'], kind: 'emptyDir' },
  'emptydir-memory.md': { variants: ['emptydir-memory'], kind: 'medium Memory' },
  'gitrepo.md': { variants: ['gitrepo'], kind: 'gitRepo' },
  'git-sync.md': { variants: ['git-sync', 'git-sync-native'], kind: 'git-sync' },
  'configmap.md': { variants: ['configmap'], kind: 'configMap' },
  'secret.md': { variants: ['secret'], kind: 'secret' },
  'downwardapi.md': { variants: ['downwardapi'], kind: 'downwardAPI' },
  'projected.md': { variants: ['projected'], kind: 'projected' },
  'hostpath.md': { variants: ['hostpath'], kind: 'hostPath' },
  'pv-pvc.md': { variants: ['pv-pvc'], kind: 'PersistentVolume' },
  'storageclass.md': { variants: ['storageclass'], kind: 'StorageClass' },
  'reclaim-and-deletion.md': { variants: ['pv-pvc', 'storageclass'], kind: 'Retain' },
  'statefulset.md': { variants: ['statefulset'], kind: 'StatefulSet' },
  'nfs.md': { variants: ['nfs'], kind: 'NFS' },
};
/** The legend's classes: one per lifetime, for the things drawn, and one per box, node or pod. */
const LIFETIMES = ['withContainer', 'withPod', 'withNode', 'beyondNode'];
const BOXES = ['nodeBox', 'podBox'];
/** The containers of the fortune pods, every mount of whose pods a picture must draw. */
const FORTUNE_CONTAINERS = ['html-generator', 'web-server'];

// ---- the Markdown: each ```mermaid block, and how many headings come before it ----

interface Block {
  readonly file: string;
  /** The line of the opening fence, from 1. */
  readonly line: number;
  readonly text: string;
  /** Headings before the block: 1 means after the page's title and before its second heading. */
  readonly headingsBefore: number;
  /** The text of the last heading before it. */
  readonly section: string;
}

function mermaidBlocks(file: string, markdown: string): Block[] {
  const blocks: Block[] = [];
  let headings = 0;
  let section = '';
  let fence: { marker: string; mermaid: boolean; line: number; lines: string[] } | undefined;
  markdown.split('\n').forEach((line, index) => {
    if (fence) {
      if (line.trim() === fence.marker) {
        if (fence.mermaid) {
          blocks.push({
            file,
            line: fence.line,
            text: fence.lines.join('\n'),
            headingsBefore: headings,
            section,
          });
        }
        fence = undefined;
      } else fence.lines.push(line);
      return;
    }
    const opening = /^\s*(`{3,}|~{3,})\s*(\S*)/.exec(line);
    if (opening) {
      fence = { marker: opening[1] ?? '```', mermaid: opening[2] === 'mermaid', line: index + 1, lines: [] };
      return;
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      headings += 1;
      section = heading[1]?.trim() ?? '';
    }
  });
  return blocks;
}

// ---- the diagram's source: nodes, subgraphs, edges and classes ----

interface Edge {
  readonly from: string;
  readonly arrow: string;
  readonly label: string;
  readonly to: string;
}

interface Diagram {
  /** Node id to label, subgraphs left out. */
  readonly nodes: Map<string, string>;
  readonly subgraphs: Set<string>;
  readonly edges: Edge[];
  /** classDef name to its style. */
  readonly classDefs: Map<string, string>;
  /** Node id to the class a `class` statement gives it. */
  readonly classOf: Map<string, string>;
}

const NODE = /\b([A-Za-z]\w*)\s*(?:\(\[|\[\(|\[\/|\[)"([^"]*)"/g;
const EDGE = /^([A-Za-z]\w*)\s*(-->|-\.->|==>)\s*(?:\|"([^"]*)"\|)?\s*([A-Za-z]\w*)$/;

function parseDiagram(text: string): Diagram {
  const diagram: Diagram = {
    nodes: new Map(),
    subgraphs: new Set(),
    edges: [],
    classDefs: new Map(),
    classOf: new Map(),
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const subgraph = /^subgraph\s+([A-Za-z]\w*)/.exec(line);
    const classDef = /^classDef\s+(\S+)\s+(\S+)$/.exec(line);
    const classed = /^class\s+(\S+)\s+(\S+)$/.exec(line);
    const edge = EDGE.exec(line);
    if (subgraph?.[1]) diagram.subgraphs.add(subgraph[1]);
    else if (classDef?.[1] && classDef[2]) diagram.classDefs.set(classDef[1], classDef[2]);
    else if (classed?.[1] && classed[2]) {
      for (const id of classed[1].split(',')) diagram.classOf.set(id, classed[2]);
    } else if (edge?.[1] && edge[2] && edge[4]) {
      diagram.edges.push({ from: edge[1], arrow: edge[2], label: edge[3] ?? '', to: edge[4] });
    } else {
      for (const [, id = '', label = ''] of line.matchAll(NODE)) diagram.nodes.set(id, label);
    }
  }
  return diagram;
}

/** The first line of a node's label: a container's name, in the legend's language. */
const firstLine = (label: string) => label.split('<br/>')[0]?.trim() ?? '';

// ---- the manifests each page draws ----

interface Mount {
  readonly container: string;
  readonly path: string;
  readonly readOnly: boolean;
  /** Whether the container belongs to a pod that runs the fortune services. */
  readonly required: boolean;
}

async function manifestsOf(variants: readonly string[]) {
  const containers = new Set<string>();
  const mounts: Mount[] = [];
  for (const variant of variants) {
    const { manifests } = await loadManifests(join(REPO_ROOT, 'k8s', variant));
    for (const pod of podsOf(manifests)) {
      const all = containersOf(pod.object);
      const required = all.some((container) => FORTUNE_CONTAINERS.includes(container.name));
      for (const container of all) {
        containers.add(container.name);
        for (const mount of container.volumeMounts ?? []) {
          mounts.push({
            container: container.name,
            path: mount.mountPath,
            readOnly: mount.readOnly === true,
            required,
          });
        }
      }
    }
  }
  return { containers: [...containers].sort(), mounts };
}

const files = (await readdir(GUIDE)).filter((name) => name.endsWith('.md')).sort();
const blocksOf = new Map<string, Block[]>();
for (const file of files) blocksOf.set(file, mermaidBlocks(file, await readFile(join(GUIDE, file), 'utf8')));
const allBlocks = [...blocksOf.values()].flat();
/** The picture a page opens with: its first block, when that comes before the second heading. */
const opening = (file: string) => blocksOf.get(file)?.find((block) => block.headingsBefore === 1);
const legendBlock = blocksOf.get(INDEX)?.find((block) => block.section === LEGEND_HEADING);
const legend = parseDiagram(legendBlock?.text ?? '');
const drawn = new Map<string, Awaited<ReturnType<typeof manifestsOf>>>();
for (const [file, { variants }] of Object.entries(PAGES)) drawn.set(file, await manifestsOf(variants));

describe('the pictures of the volumes guide, as written', () => {
  it('knows every page of the guide, and every variant of k8s/ is drawn on one', async () => {
    assert.deepEqual(files, [INDEX, ...Object.keys(PAGES)].sort());
    const variants = (await readdir(join(REPO_ROOT, 'k8s'), { withFileTypes: true }))
      .filter((entry) => entry.isDirectory() && !['git-server', 'images', 'test'].includes(entry.name))
      .map((entry) => entry.name)
      .sort();
    assert.deepEqual([...new Set(Object.values(PAGES).flatMap((page) => page.variants))].sort(), variants);
  });

  it('opens every page with a mermaid picture, before its second heading', () => {
    const missing = files.filter((file) => opening(file) === undefined);
    assert.deepEqual(missing, [], 'pages without a ```mermaid block between their title and second heading');
  });

  it('defines the visual language once, in the index, under its own heading', () => {
    assert.ok(legendBlock, `docs/guide/${INDEX} has a mermaid block under "## ${LEGEND_HEADING}"`);
    assert.deepEqual(
      [...legend.classDefs.keys()].sort(),
      [...LIFETIMES, ...BOXES].sort(),
      'one class per lifetime (with the container, the pod, the node, beyond the node) and per box',
    );
  });

  for (const block of allBlocks) {
    it(`${block.file}:${block.line} uses the legend's classes, with the legend's colours`, () => {
      const diagram = parseDiagram(block.text);
      assert.match(block.text, /^\s*flowchart (LR|TB)\b/, 'a flowchart, left to right or top to bottom');
      assert.deepEqual(diagram.classDefs, legend.classDefs, 'the same classDef lines as the legend');
      for (const [id, name] of diagram.classOf) {
        assert.ok(
          diagram.nodes.has(id) || diagram.subgraphs.has(id),
          `class ${name} names ${id}, which the picture does not draw`,
        );
        assert.ok(legend.classDefs.has(name), `${id} has class ${name}, which the legend does not define`);
      }
    });
  }

  for (const file of [INDEX, ...Object.keys(PAGES)]) {
    it(`${file}: every thing in its first picture has a lifetime colour, every box a box's`, () => {
      const block = opening(file);
      assert.ok(block, `${file} opens with a picture`);
      const diagram = parseDiagram(block.text);
      const uncoloured = [...diagram.nodes.keys()].filter(
        (id) => !LIFETIMES.includes(diagram.classOf.get(id) ?? ''),
      );
      assert.deepEqual(uncoloured, [], 'things without a lifetime class of the legend');
      const unboxed = [...diagram.subgraphs].filter((id) => !BOXES.includes(diagram.classOf.get(id) ?? ''));
      assert.deepEqual(unboxed, [], 'subgraphs that are neither a node nor a pod of the legend');
    });
  }

  for (const [file, { kind }] of Object.entries(PAGES)) {
    it(`${file}: the index's overview shows its kind (${kind})`, () => {
      const overview = opening(INDEX);
      assert.ok(overview);
      const labels = [...parseDiagram(overview.text).nodes.values()].join('\n');
      assert.ok(labels.includes(kind), `the overview names ${kind}`);
    });
  }

  for (const file of Object.keys(PAGES)) {
    it(`${file}: draws each container and mount of its manifests, dotted where read-only`, () => {
      const block = opening(file);
      assert.ok(block, `${file} opens with a picture`);
      const diagram = parseDiagram(block.text);
      const { containers, mounts } = drawn.get(file) ?? { containers: [], mounts: [] };
      const containerNodes = new Map<string, string>();
      for (const [id, label] of diagram.nodes) {
        if (containers.includes(firstLine(label))) containerNodes.set(id, firstLine(label));
      }
      for (const container of containers) {
        const ids = [...containerNodes].filter(([, name]) => name === container).map(([id]) => id);
        assert.ok(ids.length > 0, `a node whose label starts with the container's name ${container}`);
        for (const id of ids) assert.equal(diagram.classOf.get(id), 'withContainer', `${id} is a container`);
      }
      // Every arrow drawn from a container with a path is one of its mounts, as the manifest has it.
      const mountEdges = diagram.edges.filter(
        (edge) => containerNodes.has(edge.from) && edge.label.startsWith('/'),
      );
      for (const edge of mountEdges) {
        const container = containerNodes.get(edge.from);
        const path = edge.label.split(',')[0]?.trim();
        const mount = mounts.find(
          (candidate) => candidate.container === container && candidate.path === path,
        );
        assert.ok(mount, `${container} mounts ${path} in the manifests of ${file}`);
        assert.equal(
          edge.arrow === '-.->',
          mount.readOnly,
          `${container} at ${path}: dotted if and only if read-only`,
        );
        assert.equal(
          edge.label.includes('read-only'),
          mount.readOnly,
          `${container} at ${path}: labelled read-only if and only if it is`,
        );
      }
      // A dotted arrow means a read-only mount and nothing else.
      for (const edge of diagram.edges.filter((candidate) => candidate.arrow === '-.->')) {
        assert.ok(mountEdges.includes(edge), `the dotted arrow ${edge.from} to ${edge.to} is a mount`);
      }
      // And every mount of the fortune pods is drawn.
      for (const mount of mounts.filter((candidate) => candidate.required)) {
        assert.ok(
          mountEdges.some(
            (edge) =>
              containerNodes.get(edge.from) === mount.container && edge.label.split(',')[0] === mount.path,
          ),
          `an arrow from ${mount.container} labelled ${mount.path}`,
        );
      }
    });
  }
});

// ---- rendered, as a reader's browser renders them ----

interface Rendered {
  readonly svg: string;
  /** The SVG's text, as a reader sees it. */
  readonly text: string;
  readonly error: string;
}

/** mermaid's browser bundle, from its package in node_modules: no network involved. */
const requireHere = createRequire(import.meta.url);
const MERMAID_BUNDLE = requireHere.resolve('mermaid/dist/mermaid.min.js');

const skip = await skipUnlessAvailable(['chromium']);

describe('the pictures of the volumes guide, rendered by mermaid in Chromium', { skip }, () => {
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];

  before(async () => {
    browser = await launchChromium();
    const context = await newContext(browser);
    // Nothing is fetched: the bundle is read from disk and put into a blank page.
    await context.route('**/*', (route) => route.abort());
    page = await context.newPage();
    page.on('request', (request) => requests.push(request.url()));
    await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>');
    await page.addScriptTag({ path: MERMAID_BUNDLE });
    await page.evaluate(() => {
      const { mermaid } = window as unknown as { mermaid: { initialize(config: object): void } };
      mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
    });
  });
  after(async () => {
    await browser?.close();
    assert.deepEqual(requests, [], 'the page made no request');
  });

  const render = (id: string, text: string): Promise<Rendered> =>
    page.evaluate(
      async ({ id, text }) => {
        const { mermaid } = window as unknown as {
          mermaid: {
            parse(text: string): Promise<unknown>;
            render(id: string, text: string): Promise<{ svg: string }>;
          };
        };
        try {
          await mermaid.parse(text);
          const { svg } = await mermaid.render(id, text);
          const holder = document.createElement('div');
          holder.innerHTML = svg;
          return { svg, text: holder.textContent ?? '', error: '' };
        } catch (error) {
          return { svg: '', text: '', error: String((error as Error)?.message ?? error) };
        }
      },
      { id, text },
    );

  allBlocks.forEach((block, index) => {
    it(`${block.file}:${block.line} renders as an SVG`, async () => {
      const rendered = await render(`guide-diagram-${index}`, block.text);
      assert.equal(rendered.error, '', `mermaid refuses the picture at ${block.file}:${block.line}`);
      assert.match(rendered.svg, /^<svg[\s>]/);
      assert.doesNotMatch(rendered.text, /Syntax error/i);
      if (block !== opening(block.file)) return;
      if (block.file === INDEX) {
        for (const { kind } of Object.values(PAGES)) assert.ok(rendered.text.includes(kind), `shows ${kind}`);
        return;
      }
      const { containers, mounts } = drawn.get(block.file) ?? { containers: [], mounts: [] };
      assert.ok(containers.length > 0, `${block.file} draws the pods of its variants`);
      for (const container of containers) {
        assert.ok(rendered.text.includes(container), `the picture of ${block.file} names ${container}`);
      }
      for (const mount of mounts.filter((candidate) => candidate.required)) {
        assert.ok(rendered.text.includes(mount.path), `the picture of ${block.file} shows ${mount.path}`);
      }
    });
  });
});
