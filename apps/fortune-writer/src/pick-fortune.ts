import fortunes from 'fortune-cookie';

/** The fortune-cookie collection: the list used when no FORTUNE_LIST_FILE is set. */
export const FORTUNE_COOKIES: readonly string[] = fortunes;

/**
 * A random fortune from the list, never the same one twice in a row (unless the list holds only
 * one). The list is asked for at each pick, so a list that changes is used at the next fortune.
 */
export function createFortunePicker(
  random: () => number = Math.random,
  list: () => readonly string[] = () => FORTUNE_COOKIES,
): () => string {
  let last: string | undefined;
  return () => {
    const current = list();
    let index = Math.floor(random() * current.length);
    if (current[index] === last) index = (index + 1) % current.length;
    last = current[index] as string;
    return last;
  };
}
