// A subpath of its own (@fortune-sidecar/testing/browser): only the browser tests load playwright-core.
import { type Browser, chromium } from 'playwright-core';
import { CHROMIUM } from './containers.ts';

export type { Browser, BrowserContextOptions, Page } from 'playwright-core';

/**
 * Debian's Chromium, headless, driven by playwright-core: a real browser, with nothing
 * downloaded. The flags keep it from reaching the network on its own.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
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
