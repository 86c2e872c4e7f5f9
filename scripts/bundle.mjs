#!/usr/bin/env node
// Bundles one app (run from its folder) into dist/main.js: a single file that needs no
// node_modules at run time, so a container image only has to copy it, and its src/assets
// folder (files the app reads or serves as they are: a stylesheet, a browser script), if it
// has one, into dist/assets, where the bundle finds them as the sources find src/assets.
import { chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const { outputFiles } = await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/main.js',
  bundle: true,
  platform: 'node',
  target: 'node22.13',
  format: 'esm',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  write: false,
  // CommonJS dependencies (express, fortune-cookie) call require() for Node built-ins.
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
});

// Renamed into place: a service started while the bundle is rebuilt (the image build does that
// while other tests run) reads the old file or the new one, never half of one.
async function writeInPlace(path, contents, mode) {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, contents);
  // An asset a service runs (git-sync's askpass program) stays executable.
  if (mode !== undefined) await chmod(temp, mode);
  await rename(temp, path);
}

for (const file of outputFiles) await writeInPlace(file.path, file.contents);

const filesIn = async (dir) => {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
  } catch (error) {
    if (error.code === 'ENOENT') return [];
    throw error;
  }
};
const assets = await filesIn('src/assets');
for (const name of assets)
  await writeInPlace(
    join('dist/assets', name),
    await readFile(join('src/assets', name)),
    (await stat(join('src/assets', name))).mode & 0o777,
  );
// An asset removed from the sources must not ship in an image built from an old dist/.
for (const name of await filesIn('dist/assets')) {
  if (!assets.includes(name)) await rm(join('dist/assets', name));
}
