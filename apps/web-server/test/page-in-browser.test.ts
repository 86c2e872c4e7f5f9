// The page as people see it: Debian's Chromium opens what the real services serve, and the page
// must show the fortune and where it came from, update itself, pass the server's own
// Content-Security-Policy, read well in both themes and on a phone, and work without JavaScript.
/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createOrigin,
  REPO_ROOT,
  skipUnlessAvailable,
  startGitDaemon,
  startService,
  tempDir,
} from '@fortune-sidecar/testing';
import {
  type Browser,
  type BrowserContextOptions,
  launchChromium,
  newContext,
  type Page,
} from '@fortune-sidecar/testing/browser';
import { downwardApiVolume } from '../../fortune-writer/test/helpers/downward-api-volume.ts';
import { startServerProcess } from './helpers/server-process.ts';

const skip = await skipUnlessAvailable(['chromium']);
/** Screenshots land here; docs/images holds copies of the two themes. */
const SCREENSHOTS = join(REPO_ROOT, '.test-output', 'page');

/** Relative luminance and contrast ratio, as WCAG 2 defines them. */
function contrast(foreground: string, background: string): number {
  const luminance = (color: string) => {
    const [r = 0, g = 0, b = 0] = (color.match(/[\d.]+/g) ?? []).map(Number).map((value) => {
      const channel = value / 255;
      return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [light, dark] = [luminance(foreground), luminance(background)].sort((a, b) => b - a);
  return ((light ?? 0) + 0.05) / ((dark ?? 0) + 0.05);
}

/** fortune-writer and web-server sharing a folder, as in the pod; stopped when the file ends. */
async function startPod() {
  const folder = await tempDir();
  const writer = startService('fortune-writer', {
    FORTUNE_DIR: folder,
    FORTUNE_INTERVAL: '1500ms',
    POD_NAME: 'fortune-7d9f',
    NODE_NAME: 'k3d-fortune-agent-0',
    FORTUNE_VARIANT: 'emptydir',
  });
  await writer.waitForLog('Writing a fortune every');
  const { url } = await startServerProcess(folder);
  return { folder, url: url.href };
}

const pod = skip ? undefined : await startPod();

describe('the page in a browser', { skip }, () => {
  let browser: Browser;
  const { url, folder } = pod ?? { url: '', folder: '' };

  before(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    browser = await launchChromium();
  });
  after(() => browser?.close());

  /** A fresh page that records every policy violation and every request it makes. */
  async function open(options: BrowserContextOptions = {}) {
    const context = await newContext(browser, options);
    const page = await context.newPage();
    const requests: string[] = [];
    const refused: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
    });
    const answer = await page.goto(url);
    assert.equal(answer?.status(), 200);
    return { context, page, requests, refused, answer };
  }
  const fortuneOf = async (page: Page) => (await page.locator('#fortune').textContent()) ?? '';

  it('shows the fortune large, when it was written, by which pod, on which node, in which volume', async () => {
    const { context, page } = await open();
    // The page first: the writer renames history.json before index.html, so a history read
    // after the page holds whatever fortune the page showed.
    const shown = (await fortuneOf(page)).trim();
    const history = JSON.parse(await readFile(join(folder, 'history.json'), 'utf8')) as {
      fortunes: { text: string }[];
    };
    assert.ok(
      history.fortunes.some((fortune) => fortune.text.trim() === shown),
      `the page shows a fortune of the volume: ${shown}`,
    );
    const facts = (await page.locator('#written').textContent()) ?? '';
    assert.match(facts, /Written\s*\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    assert.match(facts, /By\s*fortune-7d9f/);
    assert.match(facts, /On node\s*k3d-fortune-agent-0/);
    assert.match(facts, /Volume\s*emptydir, an emptyDir: made empty with the pod, deleted with it/);
    // Read in one step in the page: a live update may replace the paragraph at any moment.
    const size = await page.evaluate(
      () => getComputedStyle(document.querySelector('#fortune p') as Element).fontSize,
    );
    assert.ok(Number.parseFloat(size) >= 22, `the fortune is large: ${size}`);
    await context.close();
  });

  it('updates itself at the next fortune, without a reload, and says it is live', async () => {
    const { context, page } = await open();
    await page.evaluate(() => {
      (window as unknown as { keptAcrossUpdates: boolean }).keptAcrossUpdates = true;
    });
    await page.locator('#live-status').getByText('Live').waitFor();
    // Two fortunes in a row: the first could come from the fetch the page makes when its stream
    // opens; the second can only come from a change event.
    let first = '';
    for (const _ of [1, 2]) {
      first = await fortuneOf(page);
      const time = await page.locator('#written time').getAttribute('datetime');
      await page.waitForFunction(
        (shown) => document.querySelector('#written time')?.getAttribute('datetime') !== shown,
        time,
      );
    }
    assert.equal(
      await page.evaluate(() => (window as unknown as { keptAcrossUpdates?: boolean }).keptAcrossUpdates),
      true,
      'the page was not reloaded',
    );
    assert.ok(
      ((await page.locator('#history').textContent()) ?? '').includes(first.trim()),
      'the fortune before is now the newest of the history',
    );
    await context.close();
  });

  it('passes the server’s Content-Security-Policy and loads nothing from elsewhere', async () => {
    const { context, page, requests, refused, answer } = await open();
    assert.match(answer?.headers()['content-security-policy'] ?? '', /script-src 'self'; style-src 'self'/);
    await page.locator('#live-status').getByText('Live').waitFor();
    assert.deepEqual(refused, []);
    const origin = new URL(url).origin;
    assert.deepEqual(
      requests.filter((request) => !request.startsWith(origin)),
      [],
    );
    assert.ok(
      requests.some((request) => request.endsWith('/style.css')),
      'the stylesheet loads',
    );
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(background, 'rgba(0, 0, 0, 0)', 'the stylesheet applies');
    await context.close();
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`reads well in the ${theme} theme (text contrast at least 7:1) and saves a screenshot`, async () => {
      const { context, page } = await open({ colorScheme: theme, viewport: { width: 1000, height: 760 } });
      await page.locator('#live-status').getByText('Live').waitFor();
      // No functions declared inside: the test runner's transform would add helpers the page lacks.
      const colors = await page.evaluate(() => ({
        background: getComputedStyle(document.body).backgroundColor,
        text: getComputedStyle(document.body).color,
        muted: getComputedStyle(document.querySelector('.facts dt') as Element).color,
        quote: getComputedStyle(document.querySelector('#fortune') as Element).backgroundColor,
        fortune: getComputedStyle(document.querySelector('#fortune p') as Element).color,
      }));
      const backgroundIsDark =
        contrast(colors.background, 'rgb(0, 0, 0)') < contrast(colors.background, 'rgb(255, 255, 255)');
      assert.equal(backgroundIsDark, theme === 'dark', `the ${theme} theme has a ${theme} background`);
      for (const [name, ratio] of [
        ['text', contrast(colors.text, colors.background)],
        ['labels', contrast(colors.muted, colors.background)],
        ['fortune', contrast(colors.fortune, colors.quote)],
      ] as const) {
        assert.ok(ratio >= 7, `${name} contrast ${ratio.toFixed(1)}:1 in the ${theme} theme`);
      }
      await page.screenshot({ path: join(SCREENSHOTS, `page-${theme}.png`), fullPage: true });
      await context.close();
    });
  }

  it('fits a phone’s screen without sideways scrolling', async () => {
    const { context, page } = await open({ viewport: { width: 360, height: 740 }, isMobile: true });
    const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok((widths[0] ?? 0) <= (widths[1] ?? 0), `content ${widths[0]} px wide in ${widths[1]} px`);
    await page.screenshot({ path: join(SCREENSHOTS, 'page-phone.png'), fullPage: true });
    await context.close();
  });

  it('has the landmarks and live region a screen reader needs, and a visible keyboard focus', async () => {
    const { context, page } = await open();
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await page.locator('main h1').count(), 1);
    assert.equal(await page.locator('#fortune').getAttribute('aria-live'), 'polite');
    assert.equal(await page.locator('#live-status').getAttribute('role'), 'status');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement;
      return {
        tag: element.tagName,
        text: element.textContent,
        outline: getComputedStyle(element).outlineStyle,
      };
    });
    assert.deepEqual([focused.tag, focused.text], ['A', 'index.txt'], 'Tab reaches the first link');
    assert.notEqual(focused.outline, 'none', 'the focused link shows an outline');
    await context.close();
  });

  it('works without JavaScript: shows the fortune and reloads itself at the interval', async () => {
    const { context, page } = await open({ javaScriptEnabled: false });
    assert.ok((await fortuneOf(page)).trim().length > 0);
    assert.equal(await page.locator('#live-status').isVisible(), false, 'no live status without the script');
    assert.match((await page.locator('main').textContent()) ?? '', /This page reloads itself every 2 s\./);
    const firstTime = await page.locator('#written time').getAttribute('datetime');
    await page.waitForFunction(
      (time) => document.querySelector('#written time')?.getAttribute('datetime') !== time,
      firstTime,
    );
    await context.close();
  });
});

describe("the pod's labels in a browser", { skip }, () => {
  it('shows a label changed in the downwardAPI volume in place, without a reload, beside the value the environment kept', async () => {
    const folder = await tempDir();
    const labels = { 'app.kubernetes.io/name': 'fortune', 'fortune-sidecar/color': 'blue' };
    const annotations = { 'fortune-sidecar/note': 'Say "hi" <b>now</b>' };
    const volume = await downwardApiVolume({ labels, annotations });
    const writer = startService('fortune-writer', {
      FORTUNE_DIR: folder,
      FORTUNE_INTERVAL: '500ms',
      FORTUNE_VARIANT: 'downwardapi',
      FORTUNE_POD_INFO_DIR: volume.dir,
      FORTUNE_LABEL: 'fortune-sidecar/color',
      FORTUNE_LABEL_AT_START: 'blue',
    });
    await writer.waitForLog('Writing a fortune every');
    const { server, url } = await startServerProcess(folder);
    const browser = await launchChromium();
    try {
      const tab = await (await newContext(browser, { viewport: { width: 1000, height: 1200 } })).newPage();
      await tab.goto(url.href);
      const compared = tab.locator('#compared-label');
      assert.equal(
        ((await compared.textContent()) ?? '').trim(),
        'fortune-sidecar/color: in the volume now: blue / in the environment since start: blue',
      );
      // Shown as text, never as markup.
      assert.match((await tab.locator('#pod-info').textContent()) ?? '', /Say "hi" <b>now<\/b>/);
      assert.equal(await tab.locator('#pod-info b').count(), 0);
      await tab.locator('#live-status').getByText('Live').waitFor();
      await tab.evaluate(() => {
        (window as unknown as { keptAcrossUpdates: boolean }).keptAcrossUpdates = true;
      });

      // As the kubelet writes it after `kubectl label pod fortune --overwrite fortune-sidecar/color=green`.
      await volume.publish({ labels: { ...labels, 'fortune-sidecar/color': 'green' }, annotations });
      await compared.getByText('in the volume now: green').waitFor();
      assert.match(
        ((await compared.textContent()) ?? '').trim(),
        /^fortune-sidecar\/color: in the volume now: green \/ in the environment since start: blue \(changed since the container started\)$/,
      );
      assert.equal(
        await tab.evaluate(() => (window as unknown as { keptAcrossUpdates?: boolean }).keptAcrossUpdates),
        true,
        'the page was not reloaded',
      );
      // Keys are case-sensitive: shown as written, not in the capitals of the other facts.
      const key = await tab.evaluate(
        () => getComputedStyle(document.querySelector('#pod-info dt') as Element).textTransform,
      );
      assert.equal(key, 'none');
      await mkdir(SCREENSHOTS, { recursive: true });
      await tab.screenshot({ path: join(SCREENSHOTS, 'page-pod-info.png'), fullPage: true });
    } finally {
      await browser.close();
      await Promise.all([server.stop('SIGTERM'), writer.stop('SIGTERM')]);
    }
  });
});

describe('a git-synced page in a browser', { skip }, () => {
  it('changes in place when a new revision is published, without a reload', async () => {
    const base = await tempDir();
    const origin = await createOrigin(base);
    const page = (text: string) =>
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${text}</title>` +
      `<script src="/.live/update.js" defer></script></head><body><p id="text">${text}</p></body></html>\n`;
    await origin.commit({ 'index.html': page('first revision') });
    const daemon = await startGitDaemon(base);
    const volume = join(base, 'volume');
    await mkdir(volume);
    const sync = startService('git-sync', {
      GITSYNC_REPO: daemon.url('repo.git'),
      GITSYNC_ROOT: volume,
      GITSYNC_LINK: 'html',
      GITSYNC_PERIOD: '500ms',
    });
    await sync.waitForLog(/^Synced /);
    const { server, url } = await startServerProcess(join(volume, 'html'));
    const browser = await launchChromium();
    try {
      const tab = await (await newContext(browser)).newPage();
      await tab.goto(url.href);
      assert.equal(await tab.locator('#text').textContent(), 'first revision');
      await tab.evaluate(() => {
        (window as unknown as { keptAcrossUpdates: boolean }).keptAcrossUpdates = true;
      });
      await origin.commit({ 'index.html': page('second revision') });
      await tab.locator('#text').getByText('second revision').waitFor();
      assert.equal(await tab.title(), 'second revision');
      assert.equal(
        await tab.evaluate(() => (window as unknown as { keptAcrossUpdates?: boolean }).keptAcrossUpdates),
        true,
        'the page was not reloaded',
      );
    } finally {
      await browser.close();
      await Promise.all([server.stop('SIGTERM'), sync.stop('SIGTERM')]);
      await daemon.stop();
    }
  });
});
