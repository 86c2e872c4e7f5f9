// Says whether every output the docs mark `<!-- checked: id -->` was compared with what the
// command printed in this test run, so the guide cannot drift from the code unnoticed.
//   node --import tsx scripts/checked-outputs.ts --reset   forget the last run's checks
//   node --import tsx scripts/checked-outputs.ts           fail if one was not checked
// Outside CI (FORTUNE_NO_SKIP unset), blocks whose tests were skipped (no podman here) are only listed.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKED_OUTPUTS_DIR, documentedOutputs } from '@fortune-sidecar/testing';

if (process.argv.includes('--reset')) {
  rmSync(CHECKED_OUTPUTS_DIR, { recursive: true, force: true });
  process.exit(0);
}
const documented = documentedOutputs();
const unchecked = [...documented].filter(([id]) => !existsSync(join(CHECKED_OUTPUTS_DIR, id)));
for (const [id, { where }] of unchecked)
  console.error(`checked outputs: ${where} (${id}) was not checked in this run`);
if (unchecked.length > 0 && process.env.FORTUNE_NO_SKIP === '1') process.exit(1);
console.log(
  `checked outputs: ${documented.size - unchecked.length} of ${documented.size} documented outputs match this run`,
);
