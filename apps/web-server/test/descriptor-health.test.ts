import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canOpenFiles, outOfDescriptors } from '../src/descriptor-health.ts';

describe('the descriptor check behind /healthz', () => {
  it('is alive while a file can be opened', () => {
    assert.deepEqual(canOpenFiles(), { ok: true, detail: 'alive' });
  });

  it('stays alive when the file fails for any reason but running out of descriptors', () => {
    assert.equal(canOpenFiles('/no/such/file').ok, true);
  });

  it('takes EMFILE (this process) and ENFILE (the whole node) for running out, nothing else', () => {
    const error = (code: string) => Object.assign(new Error(code), { code });
    assert.equal(outOfDescriptors(error('EMFILE')), true);
    assert.equal(outOfDescriptors(error('ENFILE')), true);
    assert.equal(outOfDescriptors(error('ENOENT')), false);
    assert.equal(outOfDescriptors(error('EACCES')), false);
  });
});
