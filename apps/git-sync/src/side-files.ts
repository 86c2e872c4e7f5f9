import { isAbsolute, join, normalize } from 'node:path';
import type { Setting } from '@fortune-sidecar/common';

/** A file git-sync writes beside the link: absolute, or relative to GITSYNC_ROOT as upstream. */
export const rootFile: Setting<string> = {
  accepted:
    'a file path, absolute or relative to GITSYNC_ROOT, such as .git-sync-touch or /tmp/git-sync-error',
  parse(value) {
    if (value.includes('\0')) throw new Error('contains a NUL character');
    if (value.endsWith('/')) throw new Error('ends with "/", a folder');
    const normal = normalize(value);
    if (normal === '.' || normal === '..' || normal.startsWith('../'))
      throw new Error('not a file under GITSYNC_ROOT');
    return value;
  },
};

/** The path upstream's makeAbsPath gives: an absolute one as it is, a relative one under the root. */
export function inRoot(root: string, file: string): string {
  return isAbsolute(file) ? file : join(root, file);
}
