import type { Fortune } from '@fortune-sidecar/common';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Fortunes are text, and some contain quotes or angle brackets: they must never become markup. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ESCAPES[char] as string);
}

/** What `curl` prints: the fortune alone, as the seed's `fortune > index.html` did. */
export function renderText(fortune: Fortune): string {
  return `${fortune.text}\n`;
}

function origin(fortune: Fortune): string {
  const host = `<span class="host">${escapeHtml(fortune.host)}</span>`;
  return fortune.node ? `${host} on node <span class="node">${escapeHtml(fortune.node)}</span>` : host;
}

function time(fortune: Fortune): string {
  return `<time datetime="${escapeHtml(fortune.writtenAt)}">${escapeHtml(fortune.writtenAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}</time>`;
}

/** The page for browsers: the newest fortune, where and when it was written, and the ones before it. */
export function renderPage(fortunes: readonly [Fortune, ...Fortune[]]): string {
  const [current, ...earlier] = fortunes;
  const history = earlier
    .map(
      (fortune) =>
        `      <li><q>${escapeHtml(fortune.text)}</q> <small>${time(fortune)}, ${origin(fortune)}</small></li>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Fortune</title>
</head>
<body>
  <main>
    <h1>Fortune</h1>
    <blockquote id="fortune"><p>${escapeHtml(current.text)}</p></blockquote>
    <p id="written">Written ${time(current)} by ${origin(current)}.</p>
    <h2>Earlier fortunes in this volume</h2>
${earlier.length > 0 ? `    <ol id="history" reversed>\n${history}\n    </ol>` : '    <p id="history">None yet: this volume started empty.</p>'}
  </main>
</body>
</html>
`;
}
