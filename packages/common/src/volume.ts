/**
 * The shared-volume contract in typed form. docs/volume-contract.md explains it; the writer,
 * the web server, git-sync and the manifests all follow it.
 */
import { randomBytes } from 'node:crypto';

/** Files fortune-writer keeps in its folder (FORTUNE_DIR). Each is replaced whole, by rename. */
export const FORTUNE_FILES = {
  /** The page for browsers. */
  page: 'index.html',
  /** The fortune alone, as plain text, for curl. */
  text: 'index.txt',
  /** Recent fortunes, newest first: what lets a persistent volume show that it kept its data. */
  history: 'history.json',
  /** The page's stylesheet: the server's Content-Security-Policy allows no inline style. */
  style: 'style.css',
  /** What the writer sees of the volume it writes to, as JSON (VolumeFacts): the page shows the same. */
  volume: 'volume.json',
} as const;

/** The other names fortune-writer uses in its folder: none of them is written with a fortune. */
export const FORTUNE_WRITER_NAMES = {
  /** Held while a writer runs, so that a second writer on the folder stops instead of overwriting. */
  lock: '.fortune-writer.lock',
  /**
   * A history the writer could read but not use is kept under this prefix and the time it was
   * found, `history.json.unreadable-20261125T215000Z`, rather than replaced.
   */
  unreadableHistoryPrefix: `${FORTUNE_FILES.history}.unreadable-`,
} as const;

/**
 * Where the fortune's volume comes from, as the writer's page names it (FORTUNE_VARIANT): one
 * per folder of k8s/ whose pod runs the writer (gitrepo and git-sync serve a repository
 * instead), plus the ways to run without Kubernetes. What each says is what the
 * variant teaches: whether the history outlives the pod.
 */
export const VOLUME_VARIANTS = {
  local: 'a folder on this machine, shared by three local processes',
  'docker-volume': 'a named Docker volume: kept until docker compose down -v',
  'docker-tmpfs': 'a Docker volume on tmpfs: in memory, empty again once no container uses it',
  'docker-bind': 'a folder of the host, bind-mounted: kept on the host',
  emptydir: 'an emptyDir: made empty with the pod, deleted with it',
  'emptydir-memory': 'an emptyDir in memory (medium: Memory): tmpfs, deleted with the pod',
  hostpath: 'a hostPath: a folder of the node, kept when the pod goes, on that node only',
  'pv-pvc': 'a PersistentVolumeClaim bound to a PersistentVolume made by hand: kept when the pod goes',
  storageclass: 'a PersistentVolumeClaim provisioned by a StorageClass: kept when the pod goes',
  statefulset:
    "a StatefulSet replica's own claim, html-<pod name>: kept when the replica goes, mounted again when it returns",
  nfs: 'an NFS share through a ReadWriteMany claim: kept when the pods go, served by pods on several nodes',
  configmap:
    'an emptyDir, with the list of fortunes from a ConfigMap volume: a changed list reaches the writer without a restart',
  downwardapi:
    "an emptyDir, with the pod's labels and annotations from a downwardAPI volume: a new label shows without a restart",
  projected:
    'an emptyDir, with one projected volume that holds the list (ConfigMap), the labels (downward API) and a Secret',
} as const;

export type VolumeVariant = keyof typeof VOLUME_VARIANTS;

/**
 * What web-server answers itself, outside the served folder. Both start with a dot segment, and
 * no dotfile but the root's `.well-known` is served, so no file of a site can hide them or be
 * hidden by them. A page that includes the script updates itself when the folder changes.
 */
export const LIVE_UPDATE_PATHS = {
  /** Server-Sent Events: one `change` event each time the served folder changes. */
  events: '/.live/events',
  /** The script a page includes: `<script src="/.live/update.js" defer></script>`. */
  script: '/.live/update.js',
} as const;

export interface Fortune {
  readonly text: string;
  /** ISO 8601, UTC. */
  readonly writtenAt: string;
  /** Host name of the writer: the pod name in Kubernetes. */
  readonly host: string;
  /** Node the writer ran on, when Kubernetes passes it in (downward API). */
  readonly node?: string;
}

export const HISTORY_FORMAT = 1;

export interface FortuneHistory {
  readonly format: typeof HISTORY_FORMAT;
  /** Newest first. */
  readonly fortunes: readonly Fortune[];
}

export const VOLUME_FACTS_FORMAT = 1;

/**
 * What the writer sees of its own mount, read just before each write (volume.json). Never a
 * path of the node: the mount point is the container's own path, and the mount's source and
 * root, which can name node folders, are left out. A part that cannot be read is null, and
 * `unknown` says why.
 */
export interface VolumeFacts {
  readonly format: typeof VOLUME_FACTS_FORMAT;
  /** When the writer looked, ISO 8601 UTC: just before the write that published this file. */
  readonly seenAt: string;
  /** The mount that holds the folder, from /proc/self/mountinfo. */
  readonly mount: {
    /** Where it is mounted, as the writer's container sees it. */
    readonly point: string;
    /** The filesystem type: tmpfs, overlay, ext4, xfs, nfs4, ... */
    readonly type: string;
    /** False when the mount or its filesystem is read-only. */
    readonly writable: boolean;
    /** Whether the folder is the mount point itself, or a folder inside the mount. */
    readonly folderIsMountPoint: boolean;
  } | null;
  /**
   * Sizes in bytes, from statfs: the whole filesystem (a tmpfs's size is its sizeLimit), and
   * the type statfs's magic number names, for when the mount table cannot be read.
   */
  readonly space: { readonly size: number; readonly free: number; readonly type: string | null } | null;
  /** The folder's owner, group and mode, as octal digits with the setgid bit: "2775". */
  readonly folder: { readonly uid: number; readonly gid: number; readonly mode: string } | null;
  /** The files the writer keeps in the folder (FORTUNE_FILES) as they were then, and their bytes. */
  readonly writerFiles: { readonly count: number; readonly bytes: number };
  /** What could not be read, and why, one sentence each. */
  readonly unknown: readonly string[];
}

/** Directory indexes the web server looks for: plain text for curl, HTML for browsers. */
export const INDEX_FILES = { text: FORTUNE_FILES.text, html: FORTUNE_FILES.page } as const;

/**
 * git-sync's layout under GITSYNC_ROOT. Everything but the link lives in one dot folder, which
 * the web server never serves; the link (GITSYNC_LINK) is a relative symlink into `worktrees`.
 */
export const GIT_SYNC_LAYOUT = {
  state: '.gitsync',
  repo: '.gitsync/repo.git',
  worktrees: '.gitsync/worktrees',
  /** Held while a git-sync runs, so that a second one on the same root stops instead of sharing its FETCH_HEAD. */
  lock: '.gitsync/lock',
} as const;

/**
 * Names of files being written: dotfiles, so they are never served, named after their owner
 * (`fortune-writer`, `git-sync`), so that each service cleans up only its own after a crash.
 */
export function tempName(owner: string, finalName: string): string {
  return `.${owner}-${finalName}-${randomBytes(6).toString('hex')}.tmp`;
}

export function isTempOf(owner: string, name: string): boolean {
  return name.startsWith(`.${owner}-`) && name.endsWith('.tmp');
}
