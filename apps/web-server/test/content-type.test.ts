import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '@fortune-sidecar/testing';
import { contentTypeOf } from '../src/content-type.ts';
import { createSite } from '../src/site.ts';

const typesOf = (names: readonly string[]) =>
  Object.fromEntries(names.map((name) => [name, contentTypeOf(name)]));

describe('the Content-Type of a served file', () => {
  it('names what a synced site ships beyond pages, styles and pictures', () => {
    const expected = {
      'app.wasm': 'application/wasm',
      'font.woff2': 'font/woff2',
      'font.woff': 'font/woff',
      'font.ttf': 'font/ttf',
      'photo.avif': 'image/avif',
      'site.webmanifest': 'application/manifest+json; charset=utf-8',
      'app.js.map': 'application/json; charset=utf-8',
      'module.mjs': 'text/javascript; charset=utf-8',
      'data.csv': 'text/csv; charset=utf-8',
      'config.yaml': 'text/yaml; charset=utf-8',
      'captions.vtt': 'text/vtt; charset=utf-8',
      'clip.mp4': 'video/mp4',
      'clip.webm': 'video/webm',
      'song.mp3': 'audio/mpeg',
      'anim.apng': 'image/apng',
      'archive.zip': 'application/zip',
    };
    assert.deepEqual(typesOf(Object.keys(expected)), expected);
  });

  it('gives every JSON type the charset, named by mime-db or not', () => {
    const expected = {
      'data.json': 'application/json; charset=utf-8',
      'page.jsonld': 'application/ld+json; charset=utf-8',
      'map.geojson': 'application/geo+json; charset=utf-8',
      'scene.gltf': 'model/gltf+json',
    };
    assert.deepEqual(typesOf(Object.keys(expected)), expected);
  });

  it('keeps the types the server always gave', () => {
    const expected = {
      'index.txt': 'text/plain; charset=utf-8',
      'index.html': 'text/html; charset=utf-8',
      'old.htm': 'text/html; charset=utf-8',
      'README.md': 'text/markdown; charset=utf-8',
      'style.css': 'text/css; charset=utf-8',
      'app.js': 'text/javascript; charset=utf-8',
      'feed.xml': 'application/xml; charset=utf-8',
      'logo.svg': 'image/svg+xml',
      'a.png': 'image/png',
      'a.jpg': 'image/jpeg',
      'a.jpeg': 'image/jpeg',
      'a.gif': 'image/gif',
      'a.webp': 'image/webp',
      'favicon.ico': 'image/x-icon',
      'paper.pdf': 'application/pdf',
    };
    assert.deepEqual(typesOf(Object.keys(expected)), expected);
  });

  it('reads the extension in any case, and only the last one, from a full path', () => {
    assert.equal(contentTypeOf('/srv/site/INDEX.TXT'), 'text/plain; charset=utf-8');
    assert.equal(contentTypeOf('/srv/site/Photo.AVIF'), 'image/avif');
    assert.equal(contentTypeOf('/srv/site.d/notes.txt.wasm'), 'application/wasm');
    assert.equal(contentTypeOf('/srv/site.d/archive.tar.gz'), 'application/gzip');
  });

  it('offers unknown kinds, and names without an extension, as bytes', () => {
    for (const name of [
      'blob.unknownext',
      'Makefile',
      'txt',
      'html',
      '/srv/site.d/LICENSE',
      'trailing.',
      '/srv/.txt',
    ])
      assert.equal(contentTypeOf(name), 'application/octet-stream', name);
  });

  it('comes with the file a lookup of the site finds', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'index.html'), '<p>site</p>');
    await writeFile(join(root, 'app.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    const found = await createSite(root).find('/app.wasm', true);
    assert.equal(found.kind === 'file' && found.contentType, 'application/wasm');
  });
});
