/**
 * Whether a client wants the HTML page rather than plain text. Browsers list `text/html`;
 * curl sends `*\/*`, which gets the plain fortune, as the seed's `curl localhost:8080` showed.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((range) => {
    const [type, ...params] = range.trim().toLowerCase().split(';');
    if (type?.trim() !== 'text/html' && type?.trim() !== 'application/xhtml+xml') return false;
    const q = params.map((param) => param.trim()).find((param) => param.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}
