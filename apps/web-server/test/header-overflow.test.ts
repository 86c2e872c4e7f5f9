import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { overflowStatus, type ParserError } from '../src/header-overflow.ts';

/** The error Node.js hands to clientError: the read it failed in, and where in it. */
function overflow(read: string, failedAt: number): ParserError {
  return Object.assign(new Error('Parse Error: Header overflow'), {
    code: 'HPE_HEADER_OVERFLOW',
    rawPacket: Buffer.from(read, 'latin1'),
    bytesParsed: failedAt,
  });
}
const socketThatRead = (bytes: number) => ({ bytesRead: bytes }) as Socket;

describe('a request past the header limit', () => {
  const longLine = `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`;
  const longHeader = `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`;

  it('is 414 when the read holds its request line, as the first of its connection', () => {
    const failedAt = longLine.indexOf(' HTTP/1.1');
    assert.equal(overflowStatus(overflow(longLine, failedAt), socketThatRead(longLine.length)), 414);
  });

  it('is 414 when its request line follows another request in the same read', () => {
    const read = `GET / HTTP/1.1\r\nHost: x\r\n\r\n${longLine}`;
    const failedAt = read.lastIndexOf(' HTTP/1.1');
    assert.equal(overflowStatus(overflow(read, failedAt), socketThatRead(read.length + 100)), 414);
  });

  it('is 431 when a header line is what overflows', () => {
    const failedAt = longHeader.length - 4;
    assert.equal(overflowStatus(overflow(longHeader, failedAt), socketThatRead(longHeader.length)), 431);
  });

  it('is 431 when the line began in an earlier read, which Node.js no longer holds', () => {
    const read = longLine.slice(16_000, 17_000);
    assert.equal(overflowStatus(overflow(read, read.length), socketThatRead(17_000)), 431);
  });

  it('is 431 when Node.js gives no read to look at', () => {
    const error = Object.assign(new Error('Parse Error: Header overflow'), { code: 'HPE_HEADER_OVERFLOW' });
    assert.equal(overflowStatus(error, socketThatRead(20_000)), 431);
  });
});
