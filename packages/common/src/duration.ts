const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/** Parses a Go-style duration such as `500ms`, `10s`, `1.5m` or `1h` into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const [, amount, unit] = match as unknown as [string, string, keyof typeof UNITS];
  return Math.round(Number(amount) * UNITS[unit]);
}

/** Formats milliseconds the way they are written in settings: `500ms`, `10s`, `2m`. */
export function formatDuration(ms: number): string {
  if (ms % UNITS.h === 0 && ms >= UNITS.h) return `${ms / UNITS.h}h`;
  if (ms % UNITS.m === 0 && ms >= UNITS.m) return `${ms / UNITS.m}m`;
  if (ms % UNITS.s === 0 && ms >= UNITS.s) return `${ms / UNITS.s}s`;
  return `${ms}ms`;
}
