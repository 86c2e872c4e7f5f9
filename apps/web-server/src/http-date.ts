const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = MONTHS.join('|');
const DAY = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';
const LONG_DAY = 'Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday';
const TIME = '(\\d\\d):(\\d\\d):(\\d\\d)';

// The three forms of RFC 9110 §5.6.7, case-sensitive as its grammar is. The weekday is not
// checked against the date: it says nothing the date does not, and §5.6.7 asks no such check.
const IMF_FIXDATE = new RegExp(`^(?:${DAY}), (\\d\\d) (${MONTH}) (\\d{4}) ${TIME} GMT$`);
const RFC_850 = new RegExp(`^(?:${LONG_DAY}), (\\d\\d)-(${MONTH})-(\\d\\d) ${TIME} GMT$`);
const ASCTIME = new RegExp(`^(?:${DAY}) (${MONTH}) ( \\d|\\d\\d) ${TIME} (\\d{4})$`);

function daysIn(month: number, year: number): number {
  if (month !== 1) return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month] as number;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

function timestamp(year: number, monthName: string, day: number, h: string, m: string, s: string) {
  const month = MONTHS.indexOf(monthName);
  const [hour, minute, second] = [Number(h), Number(m), Number(s)];
  // 60 seconds is a leap second, which the grammar allows.
  if (day < 1 || day > daysIn(month, year) || hour > 23 || minute > 59 || second > 60) return undefined;
  // Not Date.UTC: it reads the years 0 to 99 as 1900 to 1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

/**
 * The time an HTTP-date names, in milliseconds since the epoch, or undefined for anything that
 * is not one of its three forms: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the obsolete
 * RFC 850 form (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime's (`Sun Nov  6 08:49:37 1994`).
 * Date.parse() would take ISO dates, local times and days that do not exist (Feb 30 is Mar 2
 * to it), and a validator must not match by accident.
 */
export function parseHttpDate(value: string, now: number = Date.now()): number | undefined {
  let match = IMF_FIXDATE.exec(value);
  if (match) {
    const [, day, month, year, h, m, s] = match as unknown as string[];
    return timestamp(Number(year), month as string, Number(day), h as string, m as string, s as string);
  }
  match = RFC_850.exec(value);
  if (match) {
    const [, day, month, yy, h, m, s] = match as unknown as string[];
    // §5.6.7: a two-digit year more than 50 years ahead is the latest such year in the past.
    const thisYear = new Date(now).getUTCFullYear();
    let year = thisYear - (thisYear % 100) + Number(yy);
    if (year > thisYear + 50) year -= 100;
    return timestamp(year, month as string, Number(day), h as string, m as string, s as string);
  }
  match = ASCTIME.exec(value);
  if (match) {
    const [, month, day, h, m, s, year] = match as unknown as string[];
    return timestamp(Number(year), month as string, Number(day), h as string, m as string, s as string);
  }
  return undefined;
}
