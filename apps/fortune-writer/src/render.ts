import { readFileSync } from 'node:fs';
import {
  FORTUNE_FILES,
  type Fortune,
  LIVE_UPDATE_PATHS,
  VOLUME_VARIANTS,
  type VolumeFacts,
  type VolumeVariant,
} from '@fortune-sidecar/common';
import { type PodInfoView, renderPodInfo } from './pod-info-section.ts';
import { renderVolumeFacts } from './volume-section.ts';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Fortunes are text, and some contain quotes or angle brackets: they must never become markup. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ESCAPES[char] as string);
}

/** The page's stylesheet, shipped beside the code (src/assets, and dist/assets in the bundle). */
export const STYLE_SHEET = readFileSync(new URL('./assets/style.css', import.meta.url), 'utf8');

/** What `curl` prints: the fortune alone, as the seed's `fortune > index.html` did. */
export function renderText(fortune: Fortune): string {
  return `${fortune.text}\n`;
}

export interface PageOptions {
  /** Where the volume comes from, shown with what that means for the history. */
  readonly variant?: VolumeVariant | undefined;
  /** How often a browser without JavaScript reloads the page: about the writer's interval. */
  readonly reloadSeconds: number;
  /** The pod's labels and annotations from a downwardAPI volume, when the writer is given one. */
  readonly podInfo?: PodInfoView | undefined;
  /** What the writer saw of its volume just before this write. */
  readonly volume?: VolumeFacts | undefined;
}

function time(iso: string): string {
  const shown = iso.replace('T', ' ').replace(/(:\d\d)\.\d+Z$/, '$1 UTC');
  return `<time datetime="${escapeHtml(iso)}">${escapeHtml(shown)}</time>`;
}

function fact(name: string, value: string): string {
  return `        <div><dt>${name}</dt><dd>${value}</dd></div>`;
}

function facts(fortune: Fortune, variant: VolumeVariant | undefined): string {
  return [
    fact('Written', time(fortune.writtenAt)),
    fact('By', escapeHtml(fortune.host)),
    ...(fortune.node ? [fact('On node', escapeHtml(fortune.node))] : []),
    ...(variant ? [fact('Volume', `<code>${variant}</code>, ${escapeHtml(VOLUME_VARIANTS[variant])}`)] : []),
  ].join('\n');
}

function history(earlier: readonly Fortune[], all: number): string {
  const oldest = earlier.at(-1);
  if (oldest === undefined) return '        <p>None yet: this volume started empty.</p>';
  const items = earlier.map(
    (fortune) =>
      `          <li><q>${escapeHtml(fortune.text)}</q> <small>${time(fortune.writtenAt)}, ${escapeHtml(fortune.host)}</small></li>`,
  );
  return [
    `        <p>This volume has kept ${all} fortunes since ${time(oldest.writtenAt)}.</p>`,
    '        <ol reversed>',
    ...items,
    '        </ol>',
  ].join('\n');
}

function volumeSection(facts: VolumeFacts | undefined): string {
  if (facts === undefined) return '';
  return `    <section aria-labelledby="volume-title">
      <h2 id="volume-title">The volume, seen from inside</h2>
      <div id="volume" data-live>
${renderVolumeFacts(facts, escapeHtml)}
      </div>
    </section>
`;
}

function podInfoSection(view: PodInfoView | undefined): string {
  if (view === undefined) return '';
  return `    <section aria-labelledby="pod-info-title">
      <h2 id="pod-info-title">This pod, from the downward API</h2>
      <div id="pod-info" data-live>
${renderPodInfo(view, escapeHtml)}
      </div>
    </section>
`;
}

/**
 * The page for browsers: the newest fortune, where and when it was written, which volume holds
 * it, and the ones before it. The parts marked `data-live` are what web-server's update script
 * replaces when the folder changes; without JavaScript the page reloads itself instead.
 */
export function renderPage(fortunes: readonly [Fortune, ...Fortune[]], options: PageOptions): string {
  const [current, ...earlier] = fortunes;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="color-scheme" content="light dark">
  <title>Fortune</title>
  <link rel="stylesheet" href="${FORTUNE_FILES.style}">
  <script src="${LIVE_UPDATE_PATHS.script}" defer></script>
  <noscript><meta http-equiv="refresh" content="${options.reloadSeconds}"></noscript>
</head>
<body>
  <main>
    <h1>Fortune</h1>
    <blockquote id="fortune" data-live aria-live="polite">
      <p>${escapeHtml(current.text)}</p>
    </blockquote>
    <dl id="written" class="facts" data-live>
${facts(current, options.variant)}
    </dl>
    <p id="live-status" class="status" role="status" hidden></p>
    <noscript><p class="status">This page reloads itself every ${options.reloadSeconds} s.</p></noscript>
    <section aria-labelledby="history-title">
      <h2 id="history-title">Earlier fortunes in this volume</h2>
      <div id="history" data-live>
${history(earlier, fortunes.length)}
      </div>
    </section>
${volumeSection(options.volume)}${podInfoSection(options.podInfo)}  </main>
  <footer>
    <p>The files behind this page: <a href="${FORTUNE_FILES.text}">${FORTUNE_FILES.text}</a> (what curl gets), <a href="${FORTUNE_FILES.history}">${FORTUNE_FILES.history}</a>, <a href="${FORTUNE_FILES.volume}">${FORTUNE_FILES.volume}</a> (what the writer sees of the volume) and <a href="${FORTUNE_FILES.page}">${FORTUNE_FILES.page}</a>.</p>
  </footer>
</body>
</html>
`;
}
