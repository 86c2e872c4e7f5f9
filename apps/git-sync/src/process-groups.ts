/**
 * The process groups git-sync runs its children in (git commands, hooks), each led by the child
 * it spawned with `detached: true`. A group still registered when git-sync exits is killed, so
 * that git-sync stopping or failing in the middle of a fetch or a hook leaves none of them behind.
 */
const running = new Set<number>();
process.on('exit', () => {
  for (const group of running) killGroup(group);
});

/** Registers a group: it is killed if git-sync exits before `release`. */
export function trackGroup(group: number): void {
  running.add(group);
}

export function releaseGroup(group: number): void {
  running.delete(group);
}

/** Kills every process of the group, whatever is left of it. */
export function killGroup(group: number): void {
  try {
    process.kill(-group, 'SIGKILL');
  } catch {
    // ESRCH: every process of the group has ended already.
  }
}
