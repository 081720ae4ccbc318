// The calibrated profiles are made from saved calibrator runs (test/fixtures/calibrate/2026-12-03,
// README there): regenerating them gives the committed numbers and sources; the two profiles
// differ in crossCpuWakeupNs only; and the wake-up term is the pin-mode difference of all pricing.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { profilesFromCalibration, readRuns } from '../../src/cost-model/calibrate-profile.ts';
import { price, totalNs } from '../../src/cost-model/price.ts';
import { loadProfile } from '../../src/cost-model/profile.ts';
import { calls, fixtureLines } from './helpers.ts';

const D = new URL('../fixtures/calibrate/2026-12-03/', import.meta.url).pathname;
const files = (kind: string) => [1, 2, 3].map((i) => `${D}${kind}-${i}.json`);

describe('calibrate-profile: the committed profiles come from the saved runs', () => {
  const made = profilesFromCalibration({ pinned: readRuns(files('idle-pinned')), unpinned: readRuns(files('idle-unpinned')), host: readRuns(files('busy-pinned')) });
  for (const [name, p] of [['calibrated-local', made.pinned], ['calibrated-unpinned', made.unpinned]] as const) {
    it(`${name}: every cost and request price, with its source`, () => {
      const committed = loadProfile(name);
      expect(p.name).toBe(name);
      expect(p.costs).toEqual(committed.costs);
      expect(p.requestNs).toEqual(committed.requestNs);
    });
  }
  it('each number is the median of the runs\' medians (an odd count: the middle run)', () => {
    const runs = readRuns(files('idle-pinned')).map((r) => r.raw.medianNs.nullSyscall!).sort((a, b) => a - b);
    expect(made.pinned.costs.syscallEntryExitNs.ns).toBe(runs[1]);
    const u = readRuns(files('idle-unpinned')).map((r) => r.raw.medianNs.sysemuWait4RoundTrip!).sort((a, b) => a - b);
    const p = readRuns(files('idle-pinned')).map((r) => r.raw.medianNs.sysemuWait4RoundTrip!).sort((a, b) => a - b);
    expect(made.unpinned.costs.crossCpuWakeupNs.ns).toBeCloseTo((u[1]! - p[1]!) / 2, 1);
  });
  it('host work comes from the --host runs; without them, from the pinned runs (and then fails if those lack it)', () => {
    expect(made.pinned.costs.hostProcessCreateNs.source).toMatch(/busy-pinned-1/);
    expect(() => profilesFromCalibration({ pinned: readRuns(files('idle-pinned')), unpinned: [] })).toThrow(/physmemFirstTouch|hostFork|fileWrite64/);
    const busy = profilesFromCalibration({ pinned: readRuns(files('busy-pinned')), unpinned: readRuns(files('busy-unpinned')) });
    expect(busy.pinned.costs.hostProcessCreateNs.ns).toBe(made.pinned.costs.hostProcessCreateNs.ns);
  });
  it('the committed files hold the runs they came from', () => {
    const j = JSON.parse(readFileSync(new URL('../../src/cost-model/profiles/calibrated-unpinned.json', import.meta.url), 'utf8')) as { raw: Record<string, unknown> };
    expect(Object.keys(j.raw).sort()).toEqual([...files('idle-pinned'), ...files('idle-unpinned'), ...files('busy-pinned')].map((f) => f.split('/').pop()!.replace('.json', '')).sort());
  });
});

describe('law: unpinned − pinned price of any log = 2 × crossCpuWakeupNs × its successful resumes', () => {
  const local = loadProfile('calibrated-local');
  const unpinned = loadProfile('calibrated-unpinned');
  const w = unpinned.costs.crossCpuWakeupNs.ns;
  const pool = fixtureLines().filter((l) => /^(ptrace|wait4|write)\(/.test(l));
  it('holds on random logs drawn from the fixture lines', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pool), { maxLength: 60 }), (lines) => {
        const cs = calls(...lines);
        const diff = cs.reduce((n, c) => n + totalNs(price(c.entry, unpinned, [c.transferBytes])) - totalNs(price(c.entry, local, [c.transferBytes])), 0);
        const resumes = cs.filter((c) => c.entry.errno === null && price(c.entry, local).roundTripNs > 0).length;
        expect(diff).toBeCloseTo(2 * w * resumes, 3);
      }),
      { numRuns: 200 },
    );
  });
});
