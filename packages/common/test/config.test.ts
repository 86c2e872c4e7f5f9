import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  boolean,
  ConfigErrors,
  duration,
  integer,
  oneOf,
  optional,
  port,
  readSettings,
  required,
  unknownVariables,
  withDefault,
} from '../src/config.ts';

function errorsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigErrors);
    return error.errors.map((each) => each.message);
  }
  assert.fail('expected a configuration error');
}

describe('settings from environment variables', () => {
  const settings = {
    port: withDefault('WEB_PORT', '8080', port),
    every: withDefault('EVERY', '10s', duration(100)),
    repo: optional('REPO', oneOf(['a', 'b'])),
  };

  it('uses the documented default when a variable is unset', () => {
    assert.deepEqual(readSettings({}, settings), { port: 8080, every: 10_000, repo: undefined });
  });

  it('reads the values that are set', () => {
    assert.deepEqual(readSettings({ WEB_PORT: '9000', EVERY: '500ms', REPO: 'b' }, settings), {
      port: 9000,
      every: 500,
      repo: 'b',
    });
  });

  it('names the variable, the value and what is accepted when a value is wrong', () => {
    assert.deepEqual(
      errorsOf(() => readSettings({ WEB_PORT: 'eighty' }, settings)),
      ['WEB_PORT="eighty" is not valid: expected a port number from 0 to 65535 (0 picks a free port)'],
    );
  });

  it('says when a value is out of range', () => {
    assert.deepEqual(
      errorsOf(() => readSettings({ WEB_PORT: '70000' }, settings)),
      [
        'WEB_PORT="70000" is not valid (out of range): expected a port number from 0 to 65535 (0 picks a free port)',
      ],
    );
  });

  it('treats a variable that is set but empty as a mistake, not as the default', () => {
    assert.deepEqual(
      errorsOf(() => readSettings({ EVERY: '' }, settings)),
      ['EVERY is set but empty: expected a duration such as 500ms, 10s, 1m or 1h, from 100ms to 24h'],
    );
  });

  it('says which required variable is missing', () => {
    assert.deepEqual(
      errorsOf(() => readSettings({}, { repo: required('GITSYNC_REPO', oneOf(['x'])) })),
      ['GITSYNC_REPO is required: expected one of x'],
    );
  });

  it('reports every wrong variable at once', () => {
    assert.equal(errorsOf(() => readSettings({ WEB_PORT: '-1', EVERY: '5', REPO: 'c' }, settings)).length, 3);
  });

  it('recognises a Kubernetes service link in a port variable and says how to avoid it', () => {
    const [message] = errorsOf(() => readSettings({ WEB_PORT: 'tcp://10.43.0.7:8080' }, settings));
    assert.match(message ?? '', /Kubernetes service link; set enableServiceLinks: false/);
  });
});

describe('value kinds', () => {
  it('accepts durations in ms, s, m and h', () => {
    const every = duration(1);
    assert.deepEqual(['250ms', '10s', '1.5m', '2h'].map(every.parse), [250, 10_000, 90_000, 7_200_000]);
    for (const bad of ['10', '10 s', 's', '-1s', '1d']) assert.throws(() => every.parse(bad), bad);
  });

  it('accepts whole numbers in range only', () => {
    const history = integer(1, 1000);
    assert.equal(history.parse('20'), 20);
    for (const bad of ['0', '1001', '2.5', '1e3', ' 3']) assert.throws(() => history.parse(bad), bad);
  });

  it('accepts exactly true or false', () => {
    assert.equal(boolean.parse('true'), true);
    assert.equal(boolean.parse('false'), false);
    for (const bad of ['yes', '1', 'TRUE']) assert.throws(() => boolean.parse(bad), bad);
  });
});

describe('unknown variables', () => {
  it('lists variables with a service prefix that the service does not read', () => {
    const env = { FORTUNE_INTERVALL: '1s', FORTUNE_DIR: '/x', HOME: '/root' };
    assert.deepEqual(unknownVariables(env, ['FORTUNE_'], ['FORTUNE_DIR', 'FORTUNE_INTERVAL']), [
      'FORTUNE_INTERVALL',
    ]);
  });
});
