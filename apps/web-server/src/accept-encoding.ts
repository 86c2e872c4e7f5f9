import { headerMemo } from './header-memo.ts';

/** The content codings this server sends, best first when a client rates them alike: br is smaller. */
export const CODINGS = ['br', 'gzip'] as const;
export type Coding = (typeof CODINGS)[number];

const NONE: readonly Coding[] = [];

/** `gzip;q=0.8` → ['gzip', 0.8]; a malformed weight counts as 0, as if the coding were refused. */
function weighed(part: string): [string, number] {
  const [name = '', ...parameters] = part.split(';');
  let q = 1;
  for (const parameter of parameters) {
    const [key, value = ''] = parameter.split('=').map((text) => text.trim());
    if (key?.toLowerCase() !== 'q') continue;
    q = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value) ? Number(value) : 0;
  }
  const coding = name.trim().toLowerCase();
  // RFC 9110 §8.4.1.3: a recipient should take x-gzip for gzip.
  return [coding === 'x-gzip' ? 'gzip' : coding, q];
}

/**
 * The codings of CODINGS an Accept-Encoding value accepts, in the order to try them (RFC 9110
 * §12.5.3): highest weight first, br before gzip at the same weight; `q=0` refuses a coding,
 * `*` stands for every coding not named. One the client rates below identity is left out: it
 * would rather have the file as it is. An empty list means identity, which is also sent when
 * the client refuses identity too (`identity;q=0`, `*;q=0`): RFC 9110 lets a server disregard
 * the header rather than answer 406, and a static file nobody can read helps no client.
 */
export function acceptedCodings(header: string): readonly Coding[] {
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    if (part.trim() === '') continue;
    const [coding, q] = weighed(part);
    // Named twice, the higher weight counts.
    weights.set(coding, Math.max(q, weights.get(coding) ?? 0));
  }
  const any = weights.get('*');
  const identity = weights.get('identity');
  const chosen = CODINGS.map((coding) => [coding, weights.get(coding) ?? any ?? 0] as const).filter(
    ([, q]) => q > 0 && (identity === undefined || q >= identity),
  );
  if (chosen.length === 0) return NONE;
  return chosen
    .map(([coding, q], order) => ({ coding, q, order }))
    .sort((a, b) => b.q - a.q || a.order - b.order)
    .map(({ coding }) => coding);
}

/** acceptedCodings(), remembered for the values seen lately, so a request costs one map lookup. */
export const codingsFor = headerMemo(acceptedCodings);
