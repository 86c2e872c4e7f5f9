// The part of the page that shows what the writer saw of its volume.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VolumeFacts } from '@fortune-sidecar/common';
import { renderPage } from '../src/render.ts';
import { folderMode, formatBytes } from '../src/volume-section.ts';

const MiB = 1024 * 1024;
const fortune = {
  text: 'A volume shared is a volume halved.',
  writtenAt: '2026-11-25T21:50:00.000Z',
  host: 'fortune',
};

/** What an emptyDir in memory with sizeLimit 16Mi and fsGroup 1000 looks like from the writer. */
const memory: VolumeFacts = {
  format: 1,
  seenAt: '2026-11-25T21:50:00.000Z',
  mount: { point: '/var/htdocs', type: 'tmpfs', writable: true, folderIsMountPoint: true },
  space: { size: 16 * MiB, free: 16 * MiB - 20 * 1024, type: 'tmpfs' },
  folder: { uid: 0, gid: 1000, mode: '2777' },
  writerFiles: { count: 5, bytes: 12_595 },
  unknown: [],
};

const page = (volume: VolumeFacts) => renderPage([fortune], { reloadSeconds: 10, volume });
/** The page's text without its markup, as a reader sees it. */
const text = (html: string) => html.replace(/<[^>]+>/g, '');

describe('the volume, seen from inside, on the page', () => {
  it('says the filesystem and its size, how it is mounted, its space and the folder the fsGroup gave', () => {
    const html = page(memory);
    assert.match(html, /<section aria-labelledby="volume-title">/);
    assert.match(html, /<div id="volume" data-live>/);
    const shown = text(html);
    assert.match(shown, /Filesystemtmpfs, 16 MiB, mounted read-write on this folder, \/var\/htdocs/);
    assert.match(shown, /Space16 MiB free of 16 MiB; before this write, the writer's 5 files took 12.3 KiB/);
    assert.match(
      shown,
      /Folderowner uid 0, group gid 1000, drwxrwsrwx \(2777\): setgid, so new files get the group/,
    );
  });

  it('says read-only, and a folder inside a larger mount', () => {
    const shown = text(
      page({
        ...memory,
        mount: { point: '/', type: 'overlay', writable: false, folderIsMountPoint: false },
        folder: { uid: 1000, gid: 1000, mode: '0755' },
        writerFiles: { count: 0, bytes: 0 },
      }),
    );
    assert.match(shown, /overlay, 16 MiB, mounted read-only at \/, this folder inside it/);
    assert.match(shown, /the writer had no file here yet/);
    assert.match(shown, /drwxr-xr-x \(0755\)\n/);
  });

  it('says plainly what it could not read, and still gives the rest', () => {
    const shown = text(
      page({
        ...memory,
        mount: null,
        folder: null,
        unknown: ['The mount table (/proc/self/mountinfo) cannot be read: no such file or directory.'],
      }),
    );
    assert.match(shown, /Filesystemtmpfs, 16 MiB\n/, "statfs's type stands in");
    assert.match(
      shown,
      /The mount table \(\/proc\/self\/mountinfo\) cannot be read: no such file or directory\./,
    );
    assert.doesNotMatch(shown, /Folder/);
    const bare = text(page({ ...memory, mount: null, space: null, folder: null }));
    assert.match(bare, /Filesystemunknown type\n/);
  });

  it('escapes what it read from the system, as it escapes the fortunes', () => {
    const html = page({
      ...memory,
      mount: { point: '/var/<b>"x"', type: 'fuse.<script>', writable: true, folderIsMountPoint: true },
      unknown: ['<img src=x>'],
    });
    assert.doesNotMatch(html, /<script>|<b>|<img/);
    assert.match(html, /fuse\.&lt;script&gt;/);
    assert.match(html, /\/var\/&lt;b&gt;&quot;x&quot;/);
    const inside = page({
      ...memory,
      mount: { point: '/<i>', type: 'ext4', writable: true, folderIsMountPoint: false },
    });
    assert.match(inside, /<code>\/&lt;i&gt;<\/code>, this folder inside it/);
  });

  it('names volume.json among the files behind the page', () => {
    assert.match(page(memory), /<a href="volume.json">volume.json<\/a>/);
  });

  it('gives sizes as df -h does, and modes as ls -ld does', () => {
    assert.deepEqual(
      [0, 612, 1024, 12_595, 16 * MiB, 16 * MiB - 20 * 1024, 500 * MiB, 3 * 1024 * MiB].map(formatBytes),
      ['0 B', '612 B', '1 KiB', '12.3 KiB', '16 MiB', '16 MiB', '500 MiB', '3 GiB'],
    );
    assert.equal(formatBytes(15.5 * MiB), '15.5 MiB');
    assert.deepEqual(['0755', '2775', '2770', '1777', '4755', '2664'].map(folderMode), [
      'drwxr-xr-x',
      'drwxrwsr-x',
      'drwxrws---',
      'drwxrwxrwt',
      'drwsr-xr-x',
      'drw-rwSr--',
    ]);
  });
});
