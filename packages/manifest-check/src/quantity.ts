const SUFFIXES: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/**
 * The value of a Kubernetes quantity (`1Gi`, `100Mi`, `500m`, `2`, `1e3`): bytes for memory and
 * storage, cores for CPU. Undefined when it is not a quantity.
 */
export function parseQuantity(quantity: string | number | undefined): number | undefined {
  if (typeof quantity === 'number') return quantity;
  if (quantity === undefined) return undefined;
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?)$/.exec(
    quantity,
  );
  if (!match) return undefined;
  const [, number = '', exponent, suffix = ''] = match;
  const multiplier = SUFFIXES[suffix];
  if (multiplier === undefined) return undefined;
  return Number(number + (exponent ?? '')) * multiplier;
}
