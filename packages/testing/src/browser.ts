// A subpath of its own (@fortune-sidecar/testing/browser): only the browser tests load playwright-core.
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium } from 'playwright-core';
import { CHROMIUM } from './containers.ts';
import { PATIENCE_MS } from './patience.ts';

export type { Browser, BrowserContextOptions, Page } from 'playwright-core';

/**
 * Debian's Chromium, headless, driven by playwright-core: a real browser, with nothing
 * downloaded. The flags keep it from reaching the network on its own.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: PATIENCE_MS,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A fresh context of `browser` whose every wait (a page loading, an element, a function) fails
 * after PATIENCE_MS rather than Playwright's 30 s: on a busy machine the browser is slow too.
 */
export async function newContext(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(PATIENCE_MS);
  return context;
}
