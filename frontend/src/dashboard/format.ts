// Numbers and times as the dashboard shows them. Pure; `locale` is for tests (the page uses
// the browser's).

/** 1234 → "1,234" (in the locale's grouping). */
export function formatCount(n: number, locale?: string): string {
  return Math.round(n).toLocaleString(locale);
}

/** Ops per second: one decimal below 10 ("3.5", "0"), whole numbers above ("42", "1,250"). */
export function formatRate(perSecond: number, locale?: string): string {
  const value = Math.max(0, perSecond);
  return value.toLocaleString(locale, { maximumFractionDigits: value < 10 ? 1 : 0 });
}

/** A duration for "up 3 h 12 min": the two largest units, seconds only below a minute. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** "14:03:27" in the local time zone (or `timeZone`, for tests). */
export function clockTime(ms: number, timeZone?: string): string {
  return new Date(ms).toLocaleTimeString("en-GB", { hour12: false, timeZone });
}

export function plural(n: number, one: string, many: string, locale?: string): string {
  return `${formatCount(n, locale)} ${n === 1 ? one : many}`;
}
