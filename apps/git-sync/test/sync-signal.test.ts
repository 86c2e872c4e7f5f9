import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { syncSignal } from '../src/sync-signal.ts';

describe('GITSYNC_SYNC_ON_SIGNAL values', () => {
  it('takes a name, a name without SIG, or a number, as upstream', () => {
    for (const value of ['SIGHUP', 'HUP', '1', 'hup']) assert.equal(syncSignal.parse(value), 'SIGHUP');
    assert.equal(syncSignal.parse('SIGUSR1'), 'SIGUSR1');
    assert.equal(syncSignal.parse('0x1'), 'SIGHUP');
  });

  it('refuses what cannot be caught or stops git-sync, and what is no signal', () => {
    for (const value of ['SIGKILL', 'KILL', '9', 'SIGSTOP', '19', 'SIGTERM', 'INT', 'SIGSEGV'])
      assert.throws(() => syncSignal.parse(value), /^Error: SIG[A-Z]+: /, value);
    for (const value of ['0', '999', 'SIGNOPE', 'SIG', '-1', '1.5'])
      assert.throws(() => syncSignal.parse(value), /not a signal/, value);
  });
});
