// Keeps a page served by web-server up to date without a reload. web-server sends a `change`
// event when its folder changes; the page then fetches itself again and puts the new content
// in place: the elements marked `data-live` (matched by id) when the page has any, else the
// whole body. Include it with <script src="/.live/update.js" defer></script>.
// Without JavaScript, or when this script fails, the page is simply what was served.

const status = document.getElementById('live-status');
const showStatus = (text) => {
  if (!status) return;
  status.hidden = false;
  status.textContent = text;
};

/** Puts the new content in place; false when there was nothing new. */
function replaceContent(next) {
  document.title = next.title;
  const parts = document.querySelectorAll('[data-live][id]');
  if (parts.length === 0) {
    if (next.body.innerHTML === document.body.innerHTML) return false;
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
      const answer = await fetch(location.href, { headers: { accept: 'text/html' }, cache: 'no-store' });
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
    // The server is gone for now: the stream reconnects, and the next `open` fetches again.
  } finally {
    running = false;
  }
}

const events = new EventSource('/.live/events');
// Every (re)connection fetches the page once: changes made while the stream was down, or
// between this page being served and the stream opening, are never missed.
events.addEventListener('open', () => {
  showStatus('Live: this page updates itself when a new fortune is written.');
  refresh();
});
events.addEventListener('change', refresh);
events.addEventListener('error', () => showStatus('Reconnecting to the server…'));
