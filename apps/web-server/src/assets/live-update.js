// Keeps a page served by web-server up to date without a reload. web-server sends a `change`
// event when its folder changes; the page then fetches itself again and puts the new content
// in place: the elements marked `data-live` (matched by id) when the page has any, else the
// whole body. Include it with <script src="/.live/update.js" defer></script>.
// Without JavaScript, or when this script fails, the page is simply what was served.
// Wrapped in a function so that no name of it can clash with a synced site's own scripts.
(() => {
  const EVENTS = '/.live/events';
  // inotify, which drives the events, sees nothing on network volumes: check now and then anyway.
  const CHECK_EVERY_MS = 30_000;
  const FETCH_TIMEOUT_MS = 10_000;

  const showStatus = (text) => {
    const status = document.getElementById('live-status');
    if (!status) return;
    status.hidden = false;
    status.textContent = text;
  };

  // The fetched page is parsed with scripting off, so its <noscript> content differs from the
  // live page's: compare bodies without it.
  const comparable = (body) => {
    const copy = body.cloneNode(true);
    for (const element of copy.querySelectorAll('noscript')) element.remove();
    return copy.innerHTML;
  };

  /** Puts the new content in place; false when there was nothing new. */
  function replaceContent(next) {
    document.title = next.title;
    const parts = document.querySelectorAll('[data-live][id]');
    if (parts.length === 0) {
      if (comparable(next.body) === comparable(document.body)) return false;
      document.body.replaceChildren(...next.body.childNodes);
      return true;
    }
    let changed = false;
    for (const part of parts) {
      const fresh = next.getElementById(part.id);
      // Replacing only what changed keeps focus and selection, and a screen reader announces an
      // aria-live part only when its content is new.
      if (fresh && fresh.innerHTML !== part.innerHTML) {
        part.replaceChildren(...fresh.childNodes);
        changed = true;
      }
    }
    return changed;
  }

  let running = false;
  let again = false;

  async function refresh() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const answer = await fetch(location.href, {
          headers: { accept: 'text/html' },
          cache: 'no-store',
          signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
        });
        const type = answer.headers.get('content-type') ?? '';
        // A missing page (the folder between two revisions) or an error keeps what is shown.
        if (!answer.ok || !type.startsWith('text/html')) continue;
        const next = new DOMParser().parseFromString(await answer.text(), 'text/html');
        if (!replaceContent(next)) continue;
        const root = document.documentElement;
        // Restart the arrival animation (the stylesheet decides whether there is one).
        root.classList.remove('updated');
        void root.offsetWidth;
        root.classList.add('updated');
        root.dataset.updatedAt = new Date().toISOString();
      } while (again);
    } catch {
      // The server is gone or slow for now: the stream reconnects, and its `open` fetches again.
    } finally {
      running = false;
    }
  }

  let events;
  function connect() {
    events = new EventSource(EVENTS);
    // Every (re)connection fetches the page once: changes made while the stream was down, or
    // between this page being served and the stream opening, are never missed.
    events.addEventListener('open', () => {
      showStatus('Live: this page updates itself when its content changes.');
      refresh();
    });
    events.addEventListener('change', refresh);
    events.addEventListener('error', () => {
      showStatus('Reconnecting to the server…');
      // The browser retries by itself unless the answer was not an event stream at all (a proxy's
      // error page, say): then it gives up, and this tries again later.
      if (events.readyState === EventSource.CLOSED) setTimeout(reconnect, 10_000);
    });
  }
  function reconnect() {
    if (!document.hidden && events.readyState === EventSource.CLOSED) connect();
  }

  // A browser opens only six connections to one server over HTTP/1.1, and each stream holds one:
  // tabs in the background let theirs go, and catch up when they are shown again.
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) events.close();
    else if (events.readyState === EventSource.CLOSED) connect();
  });
  setInterval(() => {
    if (!document.hidden) refresh();
  }, CHECK_EVERY_MS);
  connect();
})();
