/**
 * The two clocks the schedule reads, in milliseconds: the wall clock, which people and NTP set
 * (and set back), and a monotonic one, which only moves forward.
 */
export interface Clocks {
  readonly wall: () => number;
  readonly monotonic: () => number;
}

export const SYSTEM_CLOCKS: Clocks = { wall: () => Date.now(), monotonic: () => performance.now() };
