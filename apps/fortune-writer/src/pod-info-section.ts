import type { PodInfo, PodMap } from './pod-info.ts';

/** How much of the pod's labels and annotations the page shows: a huge annotation must not blow it up. */
export const POD_INFO_LIMITS = { entries: 20, chars: 200, files: 20 } as const;

/** kubectl's copy of the whole manifest, written by `kubectl apply`: long, and nothing to learn from. */
export const LEFT_OUT_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration'] as const;

export interface PodInfoView {
  /** The folder the files are read from, as the page names it. */
  readonly dir: string;
  readonly info: PodInfo;
  /** One label, as the volume holds it now and as the environment got it at start. */
  readonly comparedLabel?: { readonly key: string; readonly atStart: string } | undefined;
}

type Escape = (text: string) => string;

function cut(text: string): { text: string; cut: boolean } {
  const chars = [...text];
  if (chars.length <= POD_INFO_LIMITS.chars) return { text, cut: false };
  return { text: `${chars.slice(0, POD_INFO_LIMITS.chars).join('')}…`, cut: true };
}

function entries(
  map: PodMap | undefined,
  what: string,
  escapeHtml: Escape,
): { html: string[]; notes: string[] } {
  if (map === undefined) return { html: [`        <p>No file ${what} in this folder.</p>`], notes: [] };
  if (map.length === 0) return { html: [`        <p>None.</p>`], notes: [] };
  const shown = map.slice(0, POD_INFO_LIMITS.entries);
  let longValues = 0;
  const items = shown.map(([key, value]) => {
    const k = cut(key);
    const v = cut(value);
    if (k.cut || v.cut) longValues += 1;
    return `          <div><dt>${escapeHtml(k.text)}</dt><dd>${escapeHtml(v.text)}</dd></div>`;
  });
  const notes = [
    ...(map.length > shown.length
      ? [
          `${map.length - shown.length} more ${what} not shown: the page shows the first ${POD_INFO_LIMITS.entries}.`,
        ]
      : []),
    ...(longValues > 0
      ? [`${longValues} of the ${what} cut at ${POD_INFO_LIMITS.chars} characters (…).`]
      : []),
  ];
  return { html: ['        <dl class="facts pod-map">', ...items, '        </dl>'], notes };
}

function mode(bits: number): string {
  const rwx = [6, 3, 0]
    .map((shift) => ((bits >> shift) & 7).toString(2).padStart(3, '0'))
    .join('')
    .split('')
    .map((bit, index) => (bit === '1' ? 'rwx'[index % 3] : '-'))
    .join('');
  return `${rwx} (${bits.toString(8).padStart(4, '0')})`;
}

/**
 * The section of the page that shows the pod as the downward API describes it: one label beside
 * the value the environment got at start, the labels and annotations, and the folder's files
 * with their permissions (never their content). Every text is escaped, and each list is bounded.
 */
export function renderPodInfo(view: PodInfoView, escapeHtml: Escape): string {
  const { info } = view;
  const compared = view.comparedLabel;
  const lines: string[] = [];
  if (compared) {
    const now = info.labels?.find(([key]) => key === compared.key)?.[1];
    const same = now === compared.atStart;
    lines.push(
      `        <p id="compared-label" class="compared"><code>${escapeHtml(compared.key)}</code>: in the volume now: <strong>${now === undefined ? 'not set' : escapeHtml(cut(now).text)}</strong> / in the environment since start: <strong>${escapeHtml(compared.atStart)}</strong>${same ? '' : ' <small>(changed since the container started)</small>'}</p>`,
    );
  }
  const annotations = info.annotations?.filter(
    ([key]) => !(LEFT_OUT_ANNOTATIONS as readonly string[]).includes(key),
  );
  const leftOut = (info.annotations?.length ?? 0) - (annotations?.length ?? 0);
  const labels = entries(info.labels, 'labels', escapeHtml);
  const shownAnnotations = entries(annotations, 'annotations', escapeHtml);
  lines.push(
    '        <h3>Labels</h3>',
    ...labels.html,
    '        <h3>Annotations</h3>',
    ...shownAnnotations.html,
  );
  const notes = [
    ...labels.notes,
    ...shownAnnotations.notes,
    ...(leftOut > 0
      ? [`Left out: ${LEFT_OUT_ANNOTATIONS.join(', ')} (kubectl's copy of the manifest).`]
      : []),
  ];
  for (const note of notes) lines.push(`        <p class="note">${escapeHtml(note)}</p>`);
  const files = info.files.slice(0, POD_INFO_LIMITS.files);
  lines.push(
    `        <h3>Files in <code>${escapeHtml(view.dir)}</code></h3>`,
    '        <ul class="files">',
    ...files.map(
      (file) => `          <li><code>${escapeHtml(file.name)}</code> <small>${mode(file.mode)}</small></li>`,
    ),
    '        </ul>',
    ...(info.files.length > files.length
      ? [`        <p class="note">${info.files.length - files.length} more files not shown.</p>`]
      : []),
  );
  return lines.join('\n');
}
