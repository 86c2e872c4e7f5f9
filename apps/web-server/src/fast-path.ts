import type { RequestListener } from 'node:http';
import { headerMemo } from './header-memo.ts';
import { prefersHtml } from './negotiate.ts';
import { respond } from './respond.ts';
import type { Site } from './site.ts';

const SLASH = 47;
// Browsers and curl send a handful of distinct Accept headers; remember how each was read.
const prefersHtmlMemo = headerMemo(prefersHtml);
const wantsHtml = (accept: string | undefined) => accept !== undefined && prefersHtmlMemo(accept);

/**
 * The hot case without express: a GET or HEAD for a file the cache holds fresh is answered
 * here, with headers built once per file version. Everything else (health, errors, methods,
 * a cache miss, a request without Host) goes to the app, which answers the same way, only
 * slower. Both hand the site the path before `?`, as express's `request.path`; the site keys
 * its cache by what that path names, so another spelling of a cached file is answered here too.
 */
export function withFastPath(site: Site, app: RequestListener): RequestListener {
  return (request, response) => {
    const method = request.method;
    if ((method === 'GET' || method === 'HEAD') && request.headers.host !== undefined) {
      const url = request.url ?? '';
      if (url.charCodeAt(0) === SLASH) {
        const query = url.indexOf('?');
        const pathname = query === -1 ? url : url.slice(0, query);
        const resource = site.peek(pathname, wantsHtml(request.headers.accept));
        if (resource?.kind === 'file') {
          respond(request, response, resource);
          return;
        }
      }
    }
    app(request, response);
  };
}
