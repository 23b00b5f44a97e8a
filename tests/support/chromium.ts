/** Debian's Chromium for the browser tests, driven by playwright-core, started the one way they all use. */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { findFreePort } from './free-port.js';
import { lateBound } from './late-bound.js';
import { useTestStack, type TestStack, type TestStackOptions } from './test-stack.js';

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

/** Chromium, and where the service listens for it, e.g. http://127.0.0.1:41234. */
export interface BrowserSite {
  browser: Browser;
  baseUrl: string;
}

export interface BrowserStackOptions extends Omit<TestStackOptions<'stack'>, 'runs' | 'env'> {
  env?: Record<string, string>;
  /**
   * Serve on the address PUBLIC_BASE_URL names (over http), so that links in mail lead to this
   * server and its session cookie is not Secure, which the browser would not send back over http.
   */
  linksLeadHere?: boolean;
}

/**
 * useTestStack's whole service, listening on a free port, and Chromium to visit it: for a browser
 * test file, called at its top level. `site` is bound in beforeAll, like the stack.
 */
export function useBrowserStack(options: BrowserStackOptions = {}): TestStack & { site: BrowserSite } {
  const { linksLeadHere, env, ...rest } = options;
  let port = 0;
  const running = useTestStack({
    ...rest,
    env: async () => {
      if (!linksLeadHere) return env ?? {};
      port = await findFreePort();
      return { ...env, PUBLIC_BASE_URL: `http://127.0.0.1:${port}` };
    },
  });
  const site = lateBound<BrowserSite>('site');
  let browser: Browser | undefined;

  beforeAll(async () => {
    await running.stack.app.listen({ host: '127.0.0.1', port });
    browser = await launchChromium();
    site.bind({ browser, baseUrl: `http://127.0.0.1:${(running.stack.app.server.address() as AddressInfo).port}` });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  return { ...running, site: site.value };
}

/** The logo file an organiser would have: a PNG drawn by the browser, 300 × 96. */
export async function drawLogo(browser: Browser): Promise<Buffer> {
  const page = await browser.newPage({ viewport: { width: 300, height: 96 } });
  await page.setContent(
    '<body style="margin:0"><div style="width:300px;height:96px;background:#14508c;color:#fff;font:bold 44px Georgia,serif;display:flex;align-items:center;justify-content:center">UNA·UK</div></body>',
  );
  const png = await page.screenshot({ type: 'png' });
  await page.close();
  return png;
}
