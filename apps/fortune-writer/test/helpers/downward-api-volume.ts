import { kubeletVolume } from '@fortune-sidecar/testing';

/** Labels or annotations as the kubelet writes them (fieldpath.FormatMap): sorted, Go-quoted, no last newline. */
export function formatPodMap(map: Record<string, string>): string {
  // JSON's escapes are Go's for these values: quotes, backslashes and control characters.
  return Object.keys(map)
    .sort()
    .map((key) => `${key}=${JSON.stringify(map[key])}`)
    .join('\n');
}

/** A map, or the file's text as it is (to write one the kubelet never would), or no file. */
type PodFile = Record<string, string> | string | undefined;

export interface PodFiles {
  readonly labels?: PodFile;
  readonly annotations?: PodFile;
}

const contents = ({ labels, annotations }: PodFiles) => {
  const text = (file: PodFile) => (typeof file === 'object' ? formatPodMap(file) : file);
  return { labels: text(labels), annotations: text(annotations) };
};

/**
 * A downwardAPI volume with the items `labels` and `annotations` (see kubeletVolume): `publish`
 * is the kubelet's update after a `kubectl label` or `kubectl annotate`.
 */
export async function downwardApiVolume(files: PodFiles) {
  const volume = await kubeletVolume(contents(files));
  return { dir: volume.dir, publish: (next: PodFiles) => volume.publish(contents(next)) };
}
