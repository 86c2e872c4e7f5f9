/**
 * `read`, remembered for the values seen lately. Clients send a handful of distinct values for a
 * header (every browser the same few), so each is read once and a request costs one map lookup;
 * the map is emptied when it holds `limit` of them, so a client sending a new value each time
 * keeps no more than that in memory.
 */
export function headerMemo<T>(read: (value: string) => T, limit = 256): (value: string) => T {
  const memo = new Map<string, T>();
  return (value) => {
    let result = memo.get(value);
    if (result === undefined) {
      result = read(value);
      if (memo.size >= limit) memo.clear();
      memo.set(value, result);
    }
    return result;
  };
}
