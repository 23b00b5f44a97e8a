/**
 * What the browser tests check on every screen: a numbered full-page screenshot with axe's serious
 * and critical findings (none allowed), and text that shows up on the page as a person would see it.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** axe-core's serious and critical findings on the page as it is now. */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  // Legacy mode runs axe inside the page itself rather than in an extra one: a third of the time.
  const results = await new AxeBuilder({ page }).setLegacyMode(true).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join('; ')})`);
}

/** Screenshots numbered in journey order into `dir`, emptied first. */
export function screenRecorder(dir: string) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let shot = 0;
  /** `axe: false` where the same page was checked a step before and only its data differs. */
  return async function capture(page: Page, name: string, options: { axe?: boolean } = {}): Promise<void> {
    shot += 1;
    await page.screenshot({ path: `${dir}/${String(shot).padStart(2, '0')}-${name}.png`, fullPage: true });
    if (options.axe === false) return;
    expect(await seriousAxeViolations(page), `axe on ${name} (${page.url()})`).toEqual([]);
  };
}

/** What the page's Content-Security-Policy refuses from now on (nothing, on pages that work). */
export function watchCsp(page: Page): string[] {
  const blocked: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Refused|Content Security Policy/i.test(message.text())) blocked.push(message.text());
  });
  return blocked;
}

/**
 * Screenshot the page to `path`, fail on anything the CSP refused, then on any serious or critical
 * accessibility violation. axe-core itself sets inline styles the CSP refuses: those are forgotten.
 */
export async function checkScreen(page: Page, path: string, blocked: string[]): Promise<void> {
  await page.screenshot({ path, fullPage: true });
  expect(blocked, path).toEqual([]);
  const serious = await seriousAxeViolations(page);
  blocked.length = 0;
  expect(serious, path).toEqual([]);
}

/** Waits until the first element matching `selector` shows `expected`, and returns its text. */
export async function textOf(page: Page, selector: string, expected: string | RegExp, timeoutMs = 10_000): Promise<string> {
  const locator = page.locator(selector);
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.count()) > 0 ? await locator.first().innerText() : '';
    if (typeof expected === 'string' ? last.includes(expected) : expected.test(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${selector} never showed ${String(expected)}; it showed:\n${last}`);
}

/**
 * What went wrong on the page as it is used: script errors, and anything missing (a script, a
 * stylesheet; the favicon aside: there is none) or failing on our side. Expected to stay empty.
 */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('response', (response) => {
    const status = response.status();
    if ((status === 404 && !response.url().endsWith('/favicon.ico')) || status >= 500) problems.push(`${status} ${response.url()}`);
  });
  return problems;
}
