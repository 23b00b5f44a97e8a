/**
 * Sign-ups per day as a bar chart drawn on the server: an SVG that needs no script and no styles of
 * its own (presentation attributes only, so the app's Content-Security-Policy stays strict). Screen
 * readers get its title and a description summing it up, and the same numbers as a table.
 */
import { html, type SafeHtml } from '../web/html.js';
import type { DayCount } from './campaign-activity-queries.js';

const WIDTH = 720;
const HEIGHT = 240;
const MARGIN = { top: 16, right: 12, bottom: 36, left: 44 };

const SHORT_DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const LONG_DATE = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

function dateOf(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

/** A round top for the axis (1, 2, 5, 10, 20, 50 …) at or above the largest count, never below 5. */
export function axisMax(largest: number): number {
  const atLeast = Math.max(largest, 4);
  const magnitude = 10 ** Math.floor(Math.log10(atLeast));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((value) => value >= atLeast)!;
  return step;
}

function plural(count: number, one: string, many: string): string {
  return `${count.toLocaleString('en-GB')} ${count === 1 ? one : many}`;
}

export function describeSignups(days: DayCount[]): string {
  if (days.length === 0) return 'No days to show.';
  const total = days.reduce((sum, day) => sum + day.count, 0);
  const span = `from ${SHORT_DATE.format(dateOf(days[0]!.day))} to ${SHORT_DATE.format(dateOf(days.at(-1)!.day))}`;
  if (total === 0) return `No sign-ups ${span}.`;
  const busiest = days.reduce((best, day) => (day.count > best.count ? day : best));
  return `${plural(total, 'sign-up', 'sign-ups')} ${span}; the most in one day was ${busiest.count.toLocaleString('en-GB')}, on ${LONG_DATE.format(dateOf(busiest.day))}.`;
}

export function signupChart(days: DayCount[], idPrefix = 'signups'): SafeHtml {
  const top = axisMax(Math.max(0, ...days.map((day) => day.count)));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const slot = plotWidth / Math.max(days.length, 1);
  const barWidth = Math.max(1, slot * 0.7);
  const y = (value: number) => MARGIN.top + plotHeight - (value / top) * plotHeight;
  // Whole numbers only: a top of 5 has no middle line.
  const ticks = top % 2 === 0 ? [0, top / 2, top] : [0, top];
  // About six date labels whatever the span, always including the last day (today).
  const labelEvery = Math.max(1, Math.ceil(days.length / 6));
  const titleId = `${idPrefix}-title`;
  const descId = `${idPrefix}-desc`;

  const bars = days.map((day, i) => {
    const x = MARGIN.left + i * slot + (slot - barWidth) / 2;
    const height = y(0) - y(day.count);
    const label = (days.length - 1 - i) % labelEvery === 0;
    return html`<g>
  <rect x="${x.toFixed(1)}" y="${y(day.count).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${height.toFixed(1)}" fill="#1d4f91"><title>${LONG_DATE.format(dateOf(day.day))}: ${plural(day.count, 'sign-up', 'sign-ups')}</title></rect>
  ${label ? html`<text x="${(x + barWidth / 2).toFixed(1)}" y="${HEIGHT - MARGIN.bottom + 18}" text-anchor="middle" font-size="12" fill="#333">${SHORT_DATE.format(dateOf(day.day))}</text>` : ''}
</g>`;
  });

  return html`<figure class="chart">
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-labelledby="${titleId}" aria-describedby="${descId}" focusable="false">
<title id="${titleId}">Sign-ups per day</title>
<desc id="${descId}">${describeSignups(days)}</desc>
${ticks.map(
  (tick) => html`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(tick).toFixed(1)}" y2="${y(tick).toFixed(1)}" stroke="#ccc" stroke-width="1"></line>
<text x="${MARGIN.left - 6}" y="${(y(tick) + 4).toFixed(1)}" text-anchor="end" font-size="12" fill="#333">${tick.toLocaleString('en-GB')}</text>`,
)}
${bars}
</svg>
<figcaption>${describeSignups(days)}</figcaption>
</figure>
<details class="chart-data">
<summary>Sign-ups per day as a table</summary>
<table>
<caption class="visually-hidden">Sign-ups per day</caption>
<thead><tr><th scope="col">Day</th><th scope="col">Sign-ups</th></tr></thead>
<tbody>${days.map((day) => html`<tr><th scope="row">${LONG_DATE.format(dateOf(day.day))}</th><td>${day.count.toLocaleString('en-GB')}</td></tr>`)}</tbody>
</table>
</details>`;
}
