import { execFileSync } from 'node:child_process';

/** git in `repo`, committing as the bench: the sites the bench serves are real repositories. */
export function benchGit(repo: string): (...args: string[]) => Buffer {
  return (...args) =>
    execFileSync('git', [
      '-C',
      repo,
      '-c',
      'user.name=bench',
      '-c',
      'user.email=bench@example.test',
      ...args,
    ]);
}
