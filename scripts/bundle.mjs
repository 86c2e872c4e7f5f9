#!/usr/bin/env node
// Bundles one app (run from its folder) into dist/main.js: a single file that needs no
// node_modules at run time, so a container image only has to copy it.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { build } from 'esbuild';

const { outputFiles } = await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/main.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
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
for (const file of outputFiles) {
  await mkdir(dirname(file.path), { recursive: true });
  const temp = `${file.path}.${process.pid}.tmp`;
  await writeFile(temp, file.contents);
  await rename(temp, file.path);
}
