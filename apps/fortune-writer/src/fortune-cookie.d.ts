declare module 'fortune-cookie' {
  /** About 250 one-line fortunes. */
  const fortunes: readonly string[];
  export default fortunes;
}
