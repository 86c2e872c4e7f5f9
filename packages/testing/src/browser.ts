import { type Browser, chromium } from 'playwright-core';
import { CHROMIUM } from './containers.ts';

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
