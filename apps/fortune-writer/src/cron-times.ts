import { createTask, parse } from 'node-cron';

/** How far ahead to look: 28 years hold every date on every weekday. */
const MAX_AHEAD_MS = 29 * 366 * 86_400_000;

/**
 * The times a cron expression names, looked up from any wall-clock time: node-cron itself only
 * looks ahead from `new Date()`. A time is an instant whose local time matches, as node-cron's
 * own `match` says (it knows the L, W and # forms); so a local time the clocks skip in spring
 * never comes, and one they repeat in autumn comes twice.
 */
export function cronTimes(expression: string): (after: number) => number {
  // Never started: it only answers whether a time matches.
  const matcher = createTask(expression, () => {});
  const fields = parse(expression);
  const [seconds, minutes, hours] = [fields.second, fields.minute, fields.hour].map(
    (values) => new Set(values),
  ) as [Set<number>, Set<number>, Set<number>];
  const [firstHour = 0, firstMinute = 0, firstSecond = 0] = [fields.hour, fields.minute, fields.second].map(
    (values) => Math.min(...values),
  );
  // Whether the day, month and weekday fields match: the time fields match by construction. On
  // the day the clocks skip that time, the day is searched through.
  const dayMatches = (date: Date) => {
    const probe = new Date(
      date.getFullYear(),
      date.getMonth(),
      date.getDate(),
      firstHour,
      firstMinute,
      firstSecond,
    );
    return probe.getHours() !== firstHour || probe.getMinutes() !== firstMinute || matcher.match(probe);
  };

  return (after) => {
    // From the next whole second, stepping over whole days, hours and minutes that cannot match.
    let time = Math.floor(after / 1000) * 1000 + 1000;
    while (time - after <= MAX_AHEAD_MS) {
      const date = new Date(time);
      if (!dayMatches(date)) {
        time = new Date(date.getFullYear(), date.getMonth(), date.getDate() + 1).getTime();
      } else if (!hours.has(date.getHours())) {
        time += (60 - date.getMinutes()) * 60_000 - date.getSeconds() * 1000;
      } else if (!minutes.has(date.getMinutes())) {
        time += (60 - date.getSeconds()) * 1000;
      } else if (!seconds.has(date.getSeconds()) || !matcher.match(date)) {
        time += 1000;
      } else {
        return time;
      }
    }
    throw new Error(`no time matches "${expression}" in the next 28 years`);
  };
}
