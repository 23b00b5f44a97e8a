/**
 * A browser test file's set-up in one call at its top level, and the one way its screens are
 * captured: `const screens = useBrowserScreens('suppressions')` starts the whole service and Chromium
 * in beforeAll (closing them in afterAll), clears test-results/screenshots/<name>/, and
 * `screens.capture(page, 'list')` saves a numbered full-page screenshot there and fails on any
 * serious or critical axe finding.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { startBrowserStack, type BrowserStack } from './chromium.js';
import { lateBound } from './late-bound.js';

export interface BrowserScreens {
  /** The running service, its database handle, Chromium and the base URL (usable once beforeAll ran). */
  running: BrowserStack;
  capture: (page: Page, name: string) => Promise<void>;
}

export function useBrowserScreens(name: string): BrowserScreens {
  const dir = `test-results/screenshots/${name}`;
  const running = lateBound<BrowserStack>('running');
  let started: BrowserStack | undefined;
  let shot = 0;
  beforeAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    started = await startBrowserStack();
    running.bind(started);
  }, 60_000);
  afterAll(async () => {
    await started?.close();
  });
  return {
    running: running.value,
    capture: async (page, screen) => {
      shot += 1;
      await page.screenshot({ path: `${dir}/${String(shot).padStart(2, '0')}-${screen}.png`, fullPage: true });
      // Legacy mode runs axe inside the page itself rather than in an extra one: a third of the time.
      const results = await new AxeBuilder({ page }).setLegacyMode(true).analyze();
      const serious = results.violations
        .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
        .map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join('; ')})`);
      expect(serious, `axe on ${screen} (${page.url()})`).toEqual([]);
    },
  };
}
