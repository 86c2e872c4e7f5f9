// Loaded into each test file of the fast tier (run-tests.ts --unit): starting a process there
// throws, so a test that scripts/test-tiers.ts wrongly took for a unit test fails at once and
// says so, instead of slowing the tier down or needing git, docker or a browser after all.
import childProcess from 'node:child_process';
import cluster from 'node:cluster';
import { syncBuiltinESMExports } from 'node:module';

// Set by the test runner in the process of each test file; the runner itself must still spawn.
if (process.env.NODE_TEST_CONTEXT) {
  const refuse = (module, name) => {
    module[name] = () => {
      throw new Error(
        `${name}() in the fast tier: scripts/test-tiers.ts took this file for a unit test, ` +
          'but it starts a process. Teach test-tiers.ts the way it missed.',
      );
    };
  };
  for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'])
    refuse(childProcess, name);
  refuse(cluster, 'fork');
  // ES modules import these as live bindings, which follow the change only when told.
  syncBuiltinESMExports();
}
