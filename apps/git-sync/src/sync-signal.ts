import { constants } from 'node:os';
import type { Setting } from '@fortune-sidecar/common';

// Refused: KILL and STOP cannot be caught; node keeps BUS, FPE, ILL and SEGV for itself; INT
// and TERM stop git-sync, and a sync in their place would make it unstoppable but by SIGKILL.
const REFUSED: Record<string, string> = {
  SIGKILL: 'cannot be caught',
  SIGSTOP: 'cannot be caught',
  SIGBUS: 'node does not let a program catch it',
  SIGFPE: 'node does not let a program catch it',
  SIGILL: 'node does not let a program catch it',
  SIGSEGV: 'node does not let a program catch it',
  SIGINT: 'it stops git-sync',
  SIGTERM: 'it stops git-sync',
};

const signals = constants.signals as Readonly<Record<string, number>>;

/** A signal as upstream takes it: a number, a name, or a name without "SIG" (HUP for SIGHUP). */
export const syncSignal: Setting<NodeJS.Signals> = {
  accepted:
    'a signal name or number that can be caught, such as SIGHUP, HUP, SIGUSR1 or 1 (not SIGKILL or SIGSTOP)',
  parse(value) {
    let name: string | undefined;
    if (/^(0x[0-9a-f]+|0o?[0-7]+|\d+)$/i.test(value)) {
      const number = Number(value.replace(/^0(?=[0-7])/, '0o'));
      name = Object.keys(signals).find((candidate) => signals[candidate] === number);
    } else {
      const upper = value.toUpperCase();
      name = [upper, `SIG${upper}`].find((candidate) => Object.hasOwn(signals, candidate));
    }
    if (name === undefined) throw new Error('not a signal of this system');
    const refused = REFUSED[name];
    if (refused !== undefined) throw new Error(`${name}: ${refused}`);
    return name as NodeJS.Signals;
  },
};

/** Calls `syncNow` at each `signal`, until the returned function is called. */
export function onSyncSignal(signal: NodeJS.Signals, syncNow: () => void): () => void {
  const listener = () => syncNow();
  process.on(signal, listener);
  return () => process.off(signal, listener);
}
