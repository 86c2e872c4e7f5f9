import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHttpDate } from '../src/http-date.ts';

const NOV_6_1994 = Date.UTC(1994, 10, 6, 8, 49, 37);

describe('HTTP-dates (RFC 9110 §5.6.7)', () => {
  it('reads the three forms of the same moment', () => {
    assert.equal(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT'), NOV_6_1994);
    assert.equal(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT'), NOV_6_1994);
    assert.equal(parseHttpDate('Sun Nov  6 08:49:37 1994'), NOV_6_1994);
    assert.equal(parseHttpDate('Sun Nov 16 08:49:37 1994'), Date.UTC(1994, 10, 16, 8, 49, 37));
  });

  it('reads a two-digit year more than 50 years ahead as the latest such year past', () => {
    const in2026 = Date.UTC(2026, 0, 1);
    assert.equal(parseHttpDate('Thursday, 01-Jan-76 00:00:00 GMT', in2026), Date.UTC(2076, 0, 1));
    assert.equal(parseHttpDate('Friday, 01-Jan-77 00:00:00 GMT', in2026), Date.UTC(1977, 0, 1));
  });

  it('takes February 29 in a leap year only, and a leap second', () => {
    assert.equal(parseHttpDate('Thu, 29 Feb 2024 00:00:00 GMT'), Date.UTC(2024, 1, 29));
    assert.equal(parseHttpDate('Sat, 29 Feb 2025 00:00:00 GMT'), undefined);
    assert.equal(parseHttpDate('Tue, 29 Feb 2000 00:00:00 GMT'), Date.UTC(2000, 1, 29));
    assert.equal(parseHttpDate('Fri, 29 Feb 2100 00:00:00 GMT'), undefined);
    assert.equal(parseHttpDate('Wed, 31 Dec 2025 23:59:60 GMT'), Date.UTC(2026, 0, 1));
  });

  it('keeps the years 0 to 99 as they are', () => {
    assert.equal(parseHttpDate('Sat, 01 Jan 0050 00:00:00 GMT'), new Date('0050-01-01T00:00:00Z').getTime());
  });

  it('refuses everything else, days that do not exist included', () => {
    for (const value of [
      '2999-01-01',
      '2999-01-01T00:00:00Z',
      'Sun, 30 Feb 2025 00:00:00 GMT',
      'Mon, 31 Apr 2025 00:00:00 GMT',
      'Mon, 00 Apr 2025 00:00:00 GMT',
      'Sun, 06 Nov 1994 24:00:00 GMT',
      'Sun, 06 Nov 1994 08:60:00 GMT',
      'Sun, 06 Nov 1994 08:49:61 GMT',
      'Sun, 06 Nov 1994 08:49:37 gmt',
      'Sun, 06 Nov 1994 08:49:37 UTC',
      'Sun, 06 Nov 1994 08:49:37 +0000',
      'Sun, 06 Nov 1994 08:49:37',
      'Sun, 6 Nov 1994 08:49:37 GMT',
      'sun, 06 nov 1994 08:49:37 GMT',
      'Sunday, 06 Nov 1994 08:49:37 GMT',
      ' Sun, 06 Nov 1994 08:49:37 GMT',
      'Sun, 06 Nov 1994 08:49:37 GMT ',
      'Sun, 06 Nov 94 08:49:37 GMT',
      'Sun, 06-Nov-94 08:49:37 GMT',
      'Sunday, 06-Nov-1994 08:49:37 GMT',
      'Sun Nov 6 08:49:37 1994',
      'Sun Nov  6 08:49:37 1994 GMT',
      'yesterday',
      '0',
      '',
    ]) {
      assert.equal(parseHttpDate(value), undefined, value);
    }
  });
});
