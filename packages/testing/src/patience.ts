/**
 * How long a test waits for one thing a process it started does (a log line, an exit, a
 * connection) before calling it a hang. On a saturated machine (every core busy, the tests at
 * nice 19) starting a service alone can take tens of seconds: this bounds hangs, never speed.
 */
export const PATIENCE_MS = 10 * 60_000;
