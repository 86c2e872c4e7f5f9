import fortunes from 'fortune-cookie';

/** A random fortune from the fortune-cookie collection, never the same one twice in a row. */
export function createFortunePicker(random: () => number = Math.random): () => string {
  let last = -1;
  return () => {
    let index = Math.floor(random() * fortunes.length);
    if (index === last) index = (index + 1) % fortunes.length;
    last = index;
    return fortunes[index] as string;
  };
}
