// The calibrated profiles are made from saved calibrator runs (test/fixtures/calibrate/2026-12-03,
// README there) and real-UML measurements (test/fixtures/uml/host-6.1-2026-12-03): regenerating
// them gives the committed numbers and sources; the two profiles differ in crossCpuWakeupNs
// only; and the wake-up term is the pin-mode difference of all pricing.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { profilesFromCalibration, readRuns, readUml } from '../../src/cost-model/calibrate-profile.ts';
import { REPO_ROOT } from '../../src/cost-model/validation.ts';
import { price, totalNs } from '../../src/cost-model/price.ts';
import { loadProfile } from '../../src/cost-model/profile.ts';
import { calls, fixtureLines } from './helpers.ts';

const D = new URL('../fixtures/calibrate/2026-12-03/', import.meta.url).pathname;
const files = (kind: string) => [1, 2, 3].map((i) => `${D}${kind}-${i}.json`);
const U = new URL('../fixtures/uml/host-6.1-2026-12-03/', import.meta.url).pathname;
const uml = readUml(`${U}cpu-split.jsonl`, `${U}host-syscalls.jsonl`, REPO_ROOT);

describe('calibrate-profile: the committed profiles come from the saved runs', () => {
  const made = profilesFromCalibration({ pinned: readRuns(files('noon-pinned')), unpinned: readRuns(files('noon-unpinned')), host: readRuns(files('host-pinned')), uml });
  for (const [name, p] of [['calibrated-local', made.pinned], ['calibrated-unpinned', made.unpinned]] as const) {
    it(`${name}: every cost and request price, with its source`, () => {
      const committed = loadProfile(name);
      expect(p.name).toBe(name);
      expect(p.costs).toEqual(committed.costs);
      expect(p.requestNs).toEqual(committed.requestNs);
    });
  }
  it('each number is the median of the runs\' medians (an odd count: the middle run)', () => {
    const runs = readRuns(files('noon-pinned')).map((r) => r.raw.medianNs.nullSyscall!).sort((a, b) => a - b);
    expect(made.pinned.costs.syscallEntryExitNs.ns).toBe(runs[1]);
    const u = readRuns(files('noon-unpinned')).map((r) => r.raw.medianNs.sysemuWait4RoundTrip!).sort((a, b) => a - b);
    const p = readRuns(files('noon-pinned')).map((r) => r.raw.medianNs.sysemuWait4RoundTrip!).sort((a, b) => a - b);
    expect(made.unpinned.costs.crossCpuWakeupNs.ns).toBeCloseTo((u[1]! - p[1]!) / 2, 1);
  });
  it('host work comes from the --host runs; without them, from the pinned runs (and then fails if those lack it)', () => {
    expect(made.pinned.costs.hostProcessCreateNs.source).toMatch(/host-pinned-1/);
    expect(() => profilesFromCalibration({ pinned: readRuns(files('noon-pinned')), unpinned: [] })).toThrow(/physmemFirstTouch|stubMmap|hostFork|fileWrite64/);
    // this morning's busy runs predate the stub's calls (stubMmapFixed …): they cannot make a profile any more
    expect(() => profilesFromCalibration({ pinned: readRuns(files('busy-pinned')), unpinned: [] })).toThrow(/stubMmapFixed/);
    const host = profilesFromCalibration({ pinned: readRuns(files('host-pinned')), unpinned: readRuns(files('host-unpinned')) });
    expect(host.pinned.costs.hostProcessCreateNs.ns).toBe(made.pinned.costs.hostProcessCreateNs.ns);
  });
  it('the committed files hold the runs they came from', () => {
    const j = JSON.parse(readFileSync(new URL('../../src/cost-model/profiles/calibrated-unpinned.json', import.meta.url), 'utf8')) as { raw: Record<string, unknown> };
    expect(Object.keys(j.raw).sort()).toEqual([...files('noon-pinned'), ...files('noon-unpinned'), ...files('host-pinned')].map((f) => f.split('/').pop()!.replace('.json', '')).sort());
  });
});

describe('calibrate-profile: UML\'s own user time and the stub\'s calls from the real-UML measurements', () => {
  const made = profilesFromCalibration({ pinned: readRuns(files('noon-pinned')), unpinned: readRuns(files('noon-unpinned')), host: readRuns(files('host-pinned')), uml });
  const c = made.pinned.costs;
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[(xs.length - 1) / 2]!;
  const user = (phase: string) => med(uml.cpuSplit.filter((l) => l.phase === phase).map((l) => l.umlUserUsPerOp)) * 1000;
  it('the real sequences give the event counts (getpid: 1 syscall stop; fork: 4 syscall stops, 23 stub runs)', () => {
    expect(uml.events).toEqual({ getpid: { syscallStops: 1, stubRuns: 0 }, fork: { syscallStops: 4, stubRuns: 23 } });
    expect(uml.cpuSplit.filter((l) => l.phase === 'getpid').length % 2).toBe(1); // an odd count: the middle boot pair
  });
  it('umlSyscallStopUserNs = UML user time per getpid; umlStubRunUserNs = (per fork − 4 syscall stops of it) ÷ 23 stub runs', () => {
    expect(c.umlSyscallStopUserNs.ns).toBeCloseTo(user('getpid'), 1);
    expect(c.umlStubRunUserNs.ns).toBeCloseTo((user('fork') - 4 * c.umlSyscallStopUserNs.ns) / 23, 1);
  });
  it('stubRunHostCallsNs = the stub\'s mmap/munmap/mprotect per fork (perf) × their calibrated prices ÷ stub runs per fork (perf)', () => {
    const fork = uml.hostSyscalls.filter((l) => l.phase === 'fork');
    const host = readRuns(files('host-pinned'));
    const price = (k: string) => med(host.map((r) => r.raw.medianNs[k]!));
    const per = (nr: string) => Math.round((fork.map((l) => l.hostProcessSyscalls[nr] ?? 0).sort((a, b) => a - b)[0]! + fork.map((l) => l.hostProcessSyscalls[nr] ?? 0).sort((a, b) => a - b)[fork.length - 1]!) / 2 * 100) / 100;
    const runs = Math.round((fork[0]!.umlStubRuns + fork[fork.length - 1]!.umlStubRuns) / 2 * 100) / 100;
    expect(fork.length).toBe(2);
    expect(c.stubRunHostCallsNs.ns).toBeCloseTo((per('9') * price('stubMmapFixed') + per('11') * price('stubMunmap') + per('10') * price('stubMprotect')) / runs, 0);
    // a fault's stub run maps its one page: the real count per fault is 1 mmap in 1 stub run
    const fault = uml.hostSyscalls.find((l) => l.phase === 'fault')!;
    expect([fault.hostProcessSyscalls['9'], Math.round(fault.umlStubRuns)]).toEqual([1, 1]);
  });
  it('the page fault term no longer holds the stub\'s mmap (it is the stub run\'s): first touch + the retried access', () => {
    const host = readRuns(files('host-pinned'));
    const price = (k: string) => med(host.map((r) => r.raw.medianNs[k]!));
    expect(c.hostPageFaultNs.ns).toBeCloseTo(price('physmemFirstTouch') + price('stubMmapTouch') - price('stubMmapFixed'), 1);
  });
  it('the terms are the same in both pin modes; without --uml they are 0 and say why', () => {
    for (const k of ['umlSyscallStopUserNs', 'umlStubRunUserNs', 'stubRunHostCallsNs'] as const) expect(made.unpinned.costs[k]).toEqual(c[k]);
    const none = profilesFromCalibration({ pinned: readRuns(files('noon-pinned')), unpinned: readRuns(files('noon-unpinned')), host: readRuns(files('host-pinned')) });
    for (const k of ['umlSyscallStopUserNs', 'umlStubRunUserNs', 'stubRunHostCallsNs'] as const) {
      expect(none.pinned.costs[k].ns).toBe(0);
      expect(none.pinned.costs[k].source).toMatch(/--uml/);
    }
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
