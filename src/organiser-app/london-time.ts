/**
 * The app's dates are London's (the letters' time zone, as screen-text.ts shows them): a time typed
 * into a datetime-local field ("2026-12-04T09:30") means that wall-clock time in London, in winter
 * or summer time as it falls on that day.
 */
const PARTS = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** How far London is ahead of UTC at `instant`, in milliseconds (0 or one hour). */
function londonOffsetMs(instant: number): number {
  const part = Object.fromEntries(PARTS.formatToParts(new Date(instant)).map(({ type, value }) => [type, Number(value)]));
  return Date.UTC(part.year!, part.month! - 1, part.day, part.hour, part.minute, part.second) - Math.floor(instant / 1000) * 1000;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/** The instant a datetime-local value means in London, or undefined if it is not one (or no such day). */
export function londonLocalToInstant(value: string): Date | undefined {
  const match = LOCAL.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return undefined;
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  if (new Date(wall).getUTCDate() !== day) return undefined;
  // The offset at the wall time read as UTC, then again at the corrected instant: right either side of a change.
  const first = wall - londonOffsetMs(wall);
  return new Date(wall - londonOffsetMs(first));
}
