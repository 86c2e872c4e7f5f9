// What the writer reads of its own mount: the mount table, statfs and stat, on real folders and
// a real tmpfs, and what it makes of a table it cannot read.
import assert from 'node:assert/strict';
import { chmod, chown, mkdir, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FORTUNE_FILES } from '@fortune-sidecar/common';
import { skipUnlessAvailable, smallDisk, tempDir } from '@fortune-sidecar/testing';
import {
  mountOf,
  parseMountLine,
  readOnlyReason,
  readVolumeFacts,
  unescapeMountPath,
} from '../src/volume-facts.ts';

const needsMount = await skipUnlessAvailable(['tmpfs-mount']);
const MiB = 1024 * 1024;

/** A mount table of a pod's container: its volume comes from a kubelet folder of the node. */
const POD_MOUNTS = [
  '812 790 0:311 / / rw,relatime master:254 - overlay overlay rw,lowerdir=/var/lib/rancher/k3s/agent/containerd/l/1,upperdir=/var/lib/rancher/k3s/agent/containerd/u/1',
  '830 812 259:1 /var/lib/kubelet/pods/7f1c/volumes/kubernetes.io~empty-dir/html /var/htdocs rw,relatime - ext4 /dev/nvme0n1p1 rw',
  '831 812 0:52 / /var/htdocs/cache rw,nosuid - tmpfs tmpfs rw,size=16384k,uid=1000',
  '832 812 0:53 / /var/my\\040folder ro,relatime - xfs /dev/sdb1 rw',
  '833 812 0:54 / /mnt/ro-fs rw,relatime - nfs4 10.0.0.5:/exports/fortune ro,vers=4.2',
].join('\n');

describe('the mount table', () => {
  it('unescapes what mountinfo escapes in a path: space, tab, newline and backslash', () => {
    assert.equal(unescapeMountPath('/a\\040b\\011c\\012d\\134e'), '/a b\tc\nd\\e');
  });

  it('keeps the mount point, the type and read-only or not, never the root or the source', () => {
    const entry = parseMountLine(POD_MOUNTS.split('\n')[1] as string);
    assert.deepEqual(entry, { point: '/var/htdocs', type: 'ext4', writable: true });
    assert.doesNotMatch(JSON.stringify(entry), /kubelet|nvme/);
  });

  it('finds the longest mount point that holds the folder, the later of two on one point', () => {
    assert.equal(mountOf(POD_MOUNTS, '/var/htdocs')?.type, 'ext4');
    assert.equal(mountOf(POD_MOUNTS, '/var/htdocs/cache')?.type, 'tmpfs');
    assert.equal(
      mountOf(POD_MOUNTS, '/var/htdocs-other')?.type,
      'overlay',
      'a prefix of the name is not a parent',
    );
    assert.equal(mountOf(POD_MOUNTS, '/var/my folder/html')?.point, '/var/my folder');
    const stacked = `${POD_MOUNTS}\n900 830 259:1 /x /var/htdocs ro,relatime - ext4 /dev/nvme0n1p1 rw`;
    assert.equal(mountOf(stacked, '/var/htdocs')?.writable, false, 'a read-only bind mount on top');
  });

  it('skips a line that is not a mount', () => {
    assert.equal(parseMountLine(''), undefined);
    assert.equal(parseMountLine('36 35 98:0 /mnt1 /mnt2 rw,noatime master:1'), undefined);
  });

  it('says read-only for a read-only mount and for a filesystem mounted read-only', () => {
    assert.equal(mountOf(POD_MOUNTS, '/var/my folder')?.writable, false);
    assert.equal(mountOf(POD_MOUNTS, '/mnt/ro-fs/a')?.writable, false);
    assert.equal(mountOf(POD_MOUNTS, '/var/htdocs')?.writable, true);
  });
});

describe('what the writer sees of its folder', () => {
  it('on a plain folder: the mount that holds it, its space, its owner and mode, and the writer files', async () => {
    const dir = await realpath(await tempDir());
    await chmod(dir, 0o755);
    await writeFile(join(dir, FORTUNE_FILES.text), 'one\n');
    await writeFile(join(dir, FORTUNE_FILES.history), '{}\n');
    await writeFile(join(dir, 'not-the-writers.txt'), 'x'.repeat(1000));
    const facts = await readVolumeFacts(dir, { now: new Date('2026-11-25T21:50:00.000Z') });
    assert.equal(facts.seenAt, '2026-11-25T21:50:00.000Z');
    assert.ok(facts.mount, 'Linux has /proc/self/mountinfo');
    assert.equal(facts.mount.writable, true);
    assert.equal(facts.mount.folderIsMountPoint, false);
    assert.ok(dir.startsWith(facts.mount.point === '/' ? '/' : `${facts.mount.point}/`));
    assert.ok(facts.space && facts.space.size > 0 && facts.space.free <= facts.space.size);
    assert.deepEqual(facts.folder, { uid: process.getuid?.(), gid: process.getgid?.(), mode: '0755' });
    assert.deepEqual(facts.writerFiles, { count: 2, bytes: 7 });
    assert.deepEqual(facts.unknown, []);
  });

  it("shows the group and the setgid bit that fsGroup gives the volume's folder", {
    skip: process.getuid?.() !== 0,
  }, async () => {
    const dir = await tempDir();
    await chown(dir, 0, 1000);
    await chmod(dir, 0o2775);
    const facts = await readVolumeFacts(dir);
    assert.equal(facts.folder?.gid, 1000);
    assert.equal(facts.folder?.mode, '2775');
  });

  it('on a tmpfs of 16 MiB: tmpfs, its size, mounted read-write on the folder itself; read-only once it is', {
    skip: needsMount,
  }, async () => {
    const disk = await smallDisk('16m');
    const facts = await readVolumeFacts(disk.path);
    assert.deepEqual(facts.mount, {
      point: await realpath(disk.path),
      type: 'tmpfs',
      writable: true,
      folderIsMountPoint: true,
    });
    assert.equal(facts.space?.size, 16 * MiB);
    assert.equal(facts.space?.type, 'tmpfs');
    assert.equal(readOnlyReason(facts), undefined);

    await disk.readOnly();
    const readOnly = await readVolumeFacts(disk.path);
    assert.equal(readOnly.mount?.writable, false);
    assert.match(readOnlyReason(readOnly) ?? '', /\(tmpfs\) is mounted read-only/);
  });

  it('says plainly what it cannot read, without failing: no mount table (macOS), no folder', async () => {
    const dir = join(await tempDir(), 'not-yet');
    const table = join(dir, 'mountinfo');
    const facts = await readVolumeFacts(dir, { mountinfo: table });
    assert.equal(facts.mount, null);
    assert.equal(facts.space, null);
    assert.equal(facts.folder, null);
    assert.deepEqual(facts.writerFiles, { count: 0, bytes: 0 });
    assert.deepEqual(facts.unknown, [
      `The mount table (${table}) cannot be read: no such file or directory.`,
      'The size of the filesystem cannot be read: no such file or directory.',
      'The folder cannot be looked at: no such file or directory.',
    ]);
    await mkdir(dir);
    assert.equal((await readVolumeFacts(dir, { mountinfo: table })).unknown.length, 1);
  });

  it('never shows the mount root or source, which name folders of the node', async () => {
    const dir = await realpath(await tempDir());
    const table = join(await tempDir(), 'mountinfo');
    await writeFile(
      table,
      `1 0 0:1 / / rw - overlay overlay rw\n2 1 8:1 /var/lib/kubelet/pods/7f1c/volumes/html ${dir} rw - ext4 /dev/sda1 rw\n`,
    );
    const facts = await readVolumeFacts(dir, { mountinfo: table });
    assert.deepEqual(facts.mount, { point: dir, type: 'ext4', writable: true, folderIsMountPoint: true });
    assert.doesNotMatch(JSON.stringify(facts), /kubelet|sda1/);
  });
});
