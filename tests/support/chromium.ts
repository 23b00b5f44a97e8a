/** Debian's Chromium for the browser tests, driven by playwright-core, started the one way they all use. */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import type { DatabaseHandle } from '../../src/db/client.js';
import { openTestDatabase, startStack, type Stack } from './harness.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface BrowserStack {
  stack: Stack;
  handle: DatabaseHandle;
  browser: Browser;
  /** Where the app listens, e.g. http://127.0.0.1:41234. */
  baseUrl: string;
  close(): Promise<void>;
}

/** The whole service (API, workers, SMTP sink) listening on a free port, and Chromium to visit it. */
export async function startBrowserStack(env: Record<string, string> = {}): Promise<BrowserStack> {
  const stack = await startStack(env);
  const handle = openTestDatabase();
  await stack.app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  return {
    stack,
    handle,
    browser,
    baseUrl: `http://127.0.0.1:${(stack.app.server.address() as AddressInfo).port}`,
    async close() {
      await browser.close();
      await stack.close();
      await handle.close();
    },
  };
}
