import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeBadConfiguration, tempDir } from '@fortune-sidecar/testing';
import { KNOWN_VARIABLES } from '../src/config.ts';

const lists = await tempDir();
await writeFile(join(lists, 'empty.txt'), '\n# none yet\n');
const podInfo = await tempDir();
await writeFile(join(podInfo, 'labels'), 'fortune-sidecar/color="blue"');
const unquoted = await tempDir();
await writeFile(join(unquoted, 'labels'), 'fortune-sidecar/color=blue');
const withLabel = { FORTUNE_LABEL: 'fortune-sidecar/color', FORTUNE_POD_INFO_DIR: podInfo };

describeBadConfiguration('fortune-writer', {
  baseEnv: { FORTUNE_DIR: await tempDir() },
  known: KNOWN_VARIABLES,
  table: {
    FORTUNE_DIR: ['', 'htdocs', './var/htdocs'],
    FORTUNE_INTERVAL: ['', 'soon', '10', '-1s', '5ms', '25h', '1.5.2s'],
    FORTUNE_SCHEDULE: ['', 'every minute', '* * *', '61 * * * *', '* * * * * * *', '0 0 31 * 1#1'],
    FORTUNE_HISTORY: ['', 'many', '0', '1001', '2.5', '-3', '1e3'],
    FORTUNE_LIST_FILE: ['', 'fortunes.txt', join(lists, 'missing.txt'), join(lists, 'empty.txt'), lists],
    FORTUNE_HTTP_PORT: ['', 'http', '65536', '-1', '80.5', 'tcp://10.43.0.12:8081'],
    POD_NAME: [''],
    NODE_NAME: [''],
    FORTUNE_VARIANT: ['', 'EmptyDir', 'cephfs'],
    FORTUNE_POD_INFO_DIR: ['', 'podinfo', join(podInfo, 'missing'), lists, unquoted, join(podInfo, 'labels')],
    FORTUNE_LABEL: [
      '',
      'Color!',
      '-color',
      'fortune-sidecar/',
      'Fortune.Sidecar/color',
      'a/b/c',
      { value: 'fortune-sidecar/color', with: { FORTUNE_POD_INFO_DIR: podInfo } },
      { value: 'fortune-sidecar/color', with: { FORTUNE_LABEL_AT_START: 'blue' } },
    ],
    FORTUNE_LABEL_AT_START: [
      { value: '', with: withLabel },
      { value: 'sky blue', with: withLabel },
      { value: 'x'.repeat(64), with: withLabel },
      { value: '-blue', with: withLabel },
      'blue',
    ],
    LOG_FORMAT: ['', 'xml', 'JSON'],
  },
});
