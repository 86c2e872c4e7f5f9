// A page of a git-synced site as a browser fetches it (Accept-Encoding: br, gzip): this web
// server's compressed answers beside nginx with gzip on, in requests/s and bytes on the wire.
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchGit } from './bench-git.ts';
import { REPO_ROOT, type Running } from './servers.ts';
import { type LoadResult, loadTest } from './wrk.ts';

export const BROWSER_ENCODINGS = 'br, gzip';

export interface CompressedPageRow {
  readonly server: string;
  readonly path: string;
  /** What the client sent: a browser's codings, or none (curl, wrk by default). */
  readonly acceptEncoding: string;
  /** The Content-Encoding the server answered with, `identity` for none. */
  readonly answered: string;
  readonly result: LoadResult;
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * About 40 KB of HTML, the size of a documentation page, made of this project's own documents
 * (real prose compresses as real pages do, which made-up text does not), and 10 KB of CSS.
 */
export function samplePage(): { html: string; css: string } {
  const paragraphs = ['volume-contract.md', 'troubleshooting.md', 'containers.md']
    .flatMap((name) => readFileSync(join(REPO_ROOT, 'docs', name), 'utf8').split(/\n{2,}/))
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== '');
  const body: string[] = [];
  let size = 0;
  for (const [i, paragraph] of paragraphs.entries()) {
    if (size > 40_000) break;
    const element = paragraph.startsWith('#')
      ? `<h2 id="h${i}">${escapeHtml(paragraph.replace(/^#+\s*/, ''))}</h2>`
      : `<p class="${i % 3 === 0 ? 'lead' : 'text'}">${escapeHtml(paragraph)}</p>`;
    body.push(element);
    size += element.length;
  }
  const html = `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>A synced page</title>\n<link rel="stylesheet" href="/style.css">\n</head>\n<body>\n<main>\n${body.join('\n')}\n</main>\n</body>\n</html>\n`;
  const css = Array.from(
    { length: 160 },
    (_, i) =>
      `.block-${i} { margin: ${i % 7}px auto; padding: ${i % 5}em ${i % 3}em; color: #${(i * 2_654_435).toString(16).slice(0, 6).padEnd(6, '0')}; }`,
  ).join('\n');
  return { html, css: `${css}\n` };
}

/** A repository with the sample page, as git-sync would serve it. */
export async function sampleSiteRepo(work: string): Promise<string> {
  const repo = await mkdtemp(join(work, 'sample-site-'));
  const git = benchGit(repo);
  git('init', '--quiet', '--initial-branch=main');
  const { html, css } = samplePage();
  await writeFile(join(repo, 'index.html'), html);
  await writeFile(join(repo, 'style.css'), css);
  // What nginx's start in the bench waits for.
  await writeFile(join(repo, 'index.txt'), 'a synced page\n');
  git('add', '--all');
  git('commit', '--quiet', '--message', 'sample page');
  return repo;
}

/** The Content-Encoding of one answer to a browser's request. */
function encodingOf(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { 'accept-encoding': BROWSER_ENCODINGS } }, (response) => {
      response.resume();
      response.on('end', () => resolve(String(response.headers['content-encoding'] ?? 'identity')));
    })
      .on('error', reject)
      .end();
  });
}

export interface PageServer {
  /** Starts the server on the synced folder. */
  readonly start: (root: string) => Promise<Running>;
  /** Whether it compresses: this web server does so after the first request of a file version. */
  readonly compresses: boolean;
}

/**
 * Measures each server on `/index.html` and `/style.css` of the synced folder, with a browser's
 * Accept-Encoding and without any, `seconds` per run, wrk on `core`.
 */
export async function measureCompressedPage(
  root: string,
  servers: readonly PageServer[],
  { seconds, core }: { seconds: number; core: number },
): Promise<CompressedPageRow[]> {
  const rows: CompressedPageRow[] = [];
  for (const { start, compresses } of servers) {
    const server = await start(root);
    try {
      for (const path of ['/index.html', '/style.css']) {
        const url = `${server.url}${path}`;
        let answered = await encodingOf(url);
        // Compressed off the request path: the first answers are the file as it is.
        for (let wait = 0; compresses && answered === 'identity' && wait < 100; wait += 1) {
          await sleep(20);
          answered = await encodingOf(url);
        }
        for (const acceptEncoding of [BROWSER_ENCODINGS, '']) {
          const headers: Record<string, string> = acceptEncoding ? { 'Accept-Encoding': acceptEncoding } : {};
          const result = await loadTest(url, { connections: 50, seconds, core, headers });
          rows.push({
            server: server.name,
            path,
            acceptEncoding: acceptEncoding || 'none',
            answered: acceptEncoding ? answered : 'identity',
            result,
          });
        }
      }
    } finally {
      await server.stop();
    }
  }
  return rows;
}
