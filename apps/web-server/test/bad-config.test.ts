import { describeBadConfiguration, tempDir } from '@fortune-sidecar/testing';
import { KNOWN_VARIABLES } from '../src/config.ts';

describeBadConfiguration('web-server', {
  baseEnv: { WEB_ROOT: await tempDir(), WEB_PORT: '0', WEB_HOST: '127.0.0.1' },
  known: KNOWN_VARIABLES,
  table: {
    WEB_ROOT: ['', 'html', './html'],
    WEB_PORT: ['', 'eighty', '65536', '-1', '8080.0', 'tcp://10.43.0.5:80'],
    WEB_HOST: ['', 'not a host', 'http://localhost'],
    WEB_REQUEST_TIMEOUT: ['', 'long', '50ms', '11m', '10'],
    WEB_WATCH_FOLDERS: ['', 'all', '0', '100001', '1.5'],
    LOG_FORMAT: ['', 'xml'],
  },
});
