/** Bytes `start` to `end` of a file, both included, as Content-Range counts them. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * What a Range header asks of a file of `size` bytes (RFC 9110 §14.1.2): one range, or
 * 'unsatisfiable' (416) when it starts past the end or is an empty suffix, or 'ignore' (the whole
 * file, 200) for anything the server does not serve in parts: a unit other than bytes, a value
 * that does not parse, and several ranges. RFC 9110 lets a server send the whole file instead of
 * ranges; nginx answers several ranges in a multipart body, which no browser or download tool
 * needs of a served page, and which lets a client ask for the same bytes over and over.
 */
export function parseByteRange(header: string, size: number): ByteRange | 'ignore' | 'unsatisfiable' {
  const equals = header.indexOf('=');
  if (equals === -1 || header.slice(0, equals).trim().toLowerCase() !== 'bytes') return 'ignore';
  // Empty list members are allowed (RFC 9110 §5.6.1), so `bytes=0-1,` is one range.
  const specs = header
    .slice(equals + 1)
    .split(',')
    .map((spec) => spec.trim())
    .filter((spec) => spec !== '');
  if (specs.length !== 1) return 'ignore';
  const match = /^(\d*)-(\d*)$/.exec(specs[0] as string);
  if (!match) return 'ignore';
  const [, first = '', last = ''] = match;
  if (first === '') {
    // A suffix: the last N bytes, all of them when N is more than the file has.
    if (last === '') return 'ignore';
    const length = Number(last);
    if (length === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return 'ignore';
  if (start >= size) return 'unsatisfiable';
  return { start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) };
}
