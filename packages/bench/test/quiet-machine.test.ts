import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type BeforeRun,
  BusyMachineError,
  type DuringRun,
  describeReadings,
  overLimits,
  widestSpread,
} from '../src/quiet-machine.ts';

// The readings of the quiet run that measured nginx at 78k requests/s on a 2-core VM.
const quietBefore: BeforeRun = { loadAverage: 0.07, cores: 2, others: 0.004, steal: 0 };
const quietDuring: DuringRun = {
  steal: 0.001,
  spread: { server: 'express.static', path: 'page', spread: 0.03, rounds: [9_100, 9_300, 9_000] },
};

describe('telling a busy machine', () => {
  it('finds nothing over a limit on a quiet 2-core VM', () => {
    assert.deepEqual(overLimits(quietBefore), []);
    assert.deepEqual(overLimits(quietBefore, quietDuring), []);
  });

  it('names the load average over its limit a core, with the limit', () => {
    const [finding, ...rest] = overLimits({ ...quietBefore, loadAverage: 2.91 });
    assert.deepEqual(rest, []);
    assert.match(
      finding ?? '',
      /load average was 2\.91 on 2 cores \(1\.46 a core\), over the limit of 0\.25 a core/,
    );
  });

  it('counts the load relative to the cores: the same load is quiet on a larger machine', () => {
    assert.equal(overLimits({ ...quietBefore, loadAverage: 0.9 }).length, 1);
    assert.deepEqual(overLimits({ ...quietBefore, loadAverage: 0.9, cores: 8 }), []);
  });

  it('names other processes busy on a bench core just before the run', () => {
    assert.match(
      overLimits({ ...quietBefore, others: 0.38 }).join('\n'),
      /other processes took 38\.0% of a bench core in the 3 s before the run, over the limit of 5%/,
    );
  });

  it('names steal time before the run and during it apart', () => {
    assert.match(
      overLimits({ ...quietBefore, steal: 0.06 }).join('\n'),
      /6\.0% .*\(steal\) in the 3 s before the run/,
    );
    assert.match(
      overLimits(quietBefore, { ...quietDuring, steal: 0.04 }).join('\n'),
      /4\.0% .*\(steal\) during the run, over the limit of 2%/,
    );
  });

  it('names the server whose rounds differed too much, with each round in the order it ran', () => {
    const spread = { server: 'nginx', path: 'text', spread: 0.42, rounds: [60_000, 98_000, 99_500] };
    assert.match(
      overLimits(quietBefore, { ...quietDuring, spread }).join('\n'),
      /nginx's requests\/s for the text differed by 42\.0% of their median between rounds \(60,000, 98,000, 99,500, in the order they ran\), over the limit of 25%/,
    );
  });

  it('takes the spread an idle VM gave for quiet: sirv at 10,144 to 13,050 requests/s', () => {
    const rounds = [10_144, 12_420, 13_050, 10_576, 9_595];
    const spread = widestSpread([{ server: 'sirv', path: 'text', requestsPerSecond: rounds }]);
    assert.deepEqual(overLimits(quietBefore, { ...quietDuring, spread }), []);
  });

  it('lists every reading over its limit, not only the first', () => {
    const busy = overLimits(
      { loadAverage: 6.48, cores: 2, others: 0.9, steal: 0.05 },
      { steal: 0.05, spread: { server: 'sirv', path: 'page', spread: 0.5, rounds: [4, 6, 6] } },
    );
    assert.equal(busy.length, 5);
  });
});

describe('the spread between rounds', () => {
  it('is the widest (max − min) / median among the servers and paths', () => {
    const spread = widestSpread([
      { server: 'nginx', path: 'text', requestsPerSecond: [78_000, 77_000, 79_000] },
      // A neighbour that came and went in the second round: 33k instead of 66k.
      { server: 'this web server', path: 'text', requestsPerSecond: [66_000, 33_000, 60_000] },
      { server: 'this web server', path: 'page', requestsPerSecond: [64_000, 63_000, 64_500] },
    ]);
    assert.deepEqual(spread, {
      server: 'this web server',
      path: 'text',
      spread: 0.55,
      rounds: [66_000, 33_000, 60_000],
    });
  });

  it('leaves out the highest and the lowest of five rounds: a moment lost to the host is not a busy machine', () => {
    const oneSlowRound = [59_000, 60_500, 41_000, 60_000, 59_800];
    assert.equal(
      widestSpread([{ server: 'sirv', path: 'text', requestsPerSecond: oneSlowRound }]).spread.toFixed(3),
      '0.017',
    );
    // A neighbour that stayed for two rounds still shows among the three around the median.
    const twoSlowRounds = [59_000, 45_500, 41_000, 60_000, 59_800];
    assert.ok(
      widestSpread([{ server: 'sirv', path: 'text', requestsPerSecond: twoSlowRounds }]).spread > 0.2,
    );
  });

  it('is nothing when every round gave the same figure', () => {
    assert.equal(widestSpread([{ server: 'nginx', path: 'page', requestsPerSecond: [5, 5, 5] }]).spread, 0);
  });
});

describe('what a reader and a user are told', () => {
  it('puts every reading and its limit in the results, so a reader can see the run was quiet', () => {
    const text = describeReadings(quietBefore, quietDuring);
    for (const shown of [
      '0.07 on 2 cores (0.25 a core)',
      'other processes took 0.4% (5%)',
      'the hypervisor 0.0% (2%)',
      'during the run the hypervisor took 0.1% (2%)',
      "spread between rounds of one server was 3.0% (25%), express.static's for the page.",
    ]) {
      assert.ok(text.includes(shown), `${shown} in: ${text}`);
    }
  });

  it('refuses a busy run with the readings over their limits and what to do', () => {
    const error = new BusyMachineError(overLimits({ ...quietBefore, loadAverage: 2.91 }));
    assert.equal(error.code, 'BENCH_BUSY_MACHINE');
    assert.match(
      error.message,
      /not writing docs\/benchmarks\.md: the machine was busy\.\n {2}- the 1-minute load/,
    );
    assert.match(error.hint, /Wait for a quiet machine/);
    assert.match(error.hint, /not comparable/);
  });
});
