// The calibrated profiles are made from saved calibrator runs (test/fixtures/calibrate/2026-12-03,
// README there) and real-UML measurements (test/fixtures/uml/host-6.1-2026-12-03): regenerating
// them gives the committed numbers and sources; the two profiles differ in crossCpuWakeupNs
// and the unpinned crossCpuRates only; and the wake-up term is the pin-mode difference of all
// pricing: 2 × P(cross | class) × crossCpuWakeupNs per round trip (cross-cpu.ts).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crossCpuRates, hasUmlProcess, profilesFromCalibration, readCross, readRuns, readUml, UML_PROCESS_KEYS, type NamedRun } from '../../src/cost-model/calibrate-profile.ts';
import { REPO_ROOT } from '../../src/cost-model/validation.ts';
import { LedgerPricer, price, totalNs } from '../../src/cost-model/price.ts';
import { CROSS_CLASSES } from '../../src/cost-model/cross-cpu.ts';
import { loadProfile } from '../../src/cost-model/profile.ts';
import { calls, fixtureLines } from './helpers.ts';

const D = new URL('../fixtures/calibrate/2026-12-03/', import.meta.url).pathname;
const files = (kind: string) => [1, 2, 3].map((i) => `${D}${kind}-${i}.json`);
const U = new URL('../fixtures/uml/host-6.1-2026-12-03/', import.meta.url).pathname;
const uml = readUml(`${U}cpu-split.jsonl`, `${U}host-syscalls.jsonl`, REPO_ROOT);
const cross = readCross([`${U}cross-cpu-timed-afternoon.jsonl`]);
// the committed profiles' session (late, 16:40 UTC: test/fixtures/calibrate/2026-12-03/README.md)
const umlLate = readUml(`${U}cpu-split-late.jsonl`, `${U}host-syscalls.jsonl`, REPO_ROOT, `${U}host-process-times-late.jsonl`);
const crossLate = readCross([`${U}cross-cpu-timed-late.jsonl`]);

describe('calibrate-profile: the committed profiles come from the saved runs (the late session)', () => {
  const made = profilesFromCalibration({ pinned: readRuns(files('late-pinned')), unpinned: readRuns(files('late-unpinned')), uml: umlLate, cross: crossLate });
  for (const [name, p] of [['calibrated-local', made.pinned], ['calibrated-unpinned', made.unpinned]] as const) {
    it(`${name}: every cost and request price, with its source, and the cross-CPU rates`, () => {
      const committed = loadProfile(name);
      expect(p.name).toBe(name);
      expect(p.costs).toEqual(committed.costs);
      expect(p.requestNs).toEqual(committed.requestNs);
      expect(p.crossCpuRates ?? null).toEqual(committed.crossCpuRates ?? null);
    });
  }
  it('only the unpinned profile has crossCpuRates (pinned, no wake-up crosses a CPU)', () => {
    expect(made.pinned.crossCpuRates).toBeUndefined();
    expect(made.unpinned.crossCpuRates).toEqual(crossCpuRates(crossLate));
    const none = profilesFromCalibration({ pinned: readRuns(files('late-pinned')), unpinned: readRuns(files('late-unpinned')), uml: umlLate });
    expect(none.unpinned.crossCpuRates).toBeUndefined();
  });
  it('each number is the median of the runs\' medians (an odd count: the middle run)', () => {
    const runs = readRuns(files('late-pinned')).map((r) => r.raw.medianNs.nullSyscall!).sort((a, b) => a - b);
    expect(made.pinned.costs.syscallEntryExitNs.ns).toBe(runs[1]);
    const u = readRuns(files('late-unpinned')).map((r) => r.raw.medianNs.sysemuWait4RoundTrip!).sort((a, b) => a - b);
    const p = readRuns(files('late-pinned')).map((r) => r.raw.medianNs.sysemuWait4RoundTrip!).sort((a, b) => a - b);
    expect(made.unpinned.costs.crossCpuWakeupNs.ns).toBeCloseTo((u[1]! - p[1]!) / 2, 1);
  });
  it('host work comes from the --host runs; without them, from the pinned runs (and then fails if those lack it)', () => {
    expect(made.pinned.costs.hostProcessCreateNs.source).toMatch(/late-pinned-1/);
    expect(made.pinned.costs.hostProcessCreateNs.source).toMatch(/umlProcCreate/); // the late runs have the UML-shaped host process
    const noon = profilesFromCalibration({ pinned: readRuns(files('noon-pinned')), unpinned: readRuns(files('noon-unpinned')), host: readRuns(files('host-pinned')), uml });
    expect(noon.pinned.costs.hostProcessCreateNs.source).toMatch(/host-pinned-1/);
    expect(() => profilesFromCalibration({ pinned: readRuns(files('noon-pinned')), unpinned: [] })).toThrow(/physmemFirstTouch|stubMmap|hostFork|fileWrite64/);
    // this morning's busy runs predate the stub's calls (stubMmapFixed …): they cannot make a profile any more
    expect(() => profilesFromCalibration({ pinned: readRuns(files('busy-pinned')), unpinned: [] })).toThrow(/stubMmapFixed/);
    const host = profilesFromCalibration({ pinned: readRuns(files('host-pinned')), unpinned: readRuns(files('host-unpinned')) });
    expect(host.pinned.costs.hostProcessCreateNs.ns).toBe(noon.pinned.costs.hostProcessCreateNs.ns);
  });
  it('the committed files hold the runs they came from', () => {
    const j = JSON.parse(readFileSync(new URL('../../src/cost-model/profiles/calibrated-unpinned.json', import.meta.url), 'utf8')) as { raw: Record<string, unknown> };
    expect(Object.keys(j.raw).sort()).toEqual([...files('late-pinned'), ...files('late-unpinned')].map((f) => f.split('/').pop()!.replace('.json', '')).sort());
  });
});

describe('calibrate-profile: crossCpuRates from scripts/uml-cross-cpu.sh --timed (cross-cpu.ts)', () => {
  const rates = crossCpuRates(cross);
  const line = (o: Record<string, unknown>) => ({ variant: 'timed', cpus: 'none', load1m: 0.5, ...o });
  it('P(cross | class) per boot = crossed ÷ all wake-ups of the class (totals before the first fork, × 1000 forks, × 100 execs), median over boots', () => {
    const boots = { source: 't', lines: [
      line({ 'before-fork.resume.init': [100, 90], 'before-fork.stop.init': [100, 100], 'fork.resume.init': [10, 1], 'fork.stop.init': [10, 1], 'exec.resume.init': [10, 10], 'exec.stop.init': [10, 10], 'fork.resume.new:1': [1, 0.5], 'fork.stop.new:1': [1, 0.5], 'exec.resume.new:1': [1, 1], 'exec.stop.new:1': [1, 1], 'exec.resume.new:2': [1, 1], 'exec.stop.new:2': [1, 1] }),
      line({ 'before-fork.resume.init': [10, 10], 'before-fork.stop.init': [10, 10], 'fork.resume.init': [10, 0], 'fork.stop.init': [10, 0], 'exec.resume.init': [10, 0], 'exec.stop.init': [10, 0], 'fork.resume.new:1': [1, 0], 'fork.stop.new:1': [1, 0], 'exec.resume.new:1': [1, 0], 'exec.stop.new:1': [1, 0], 'exec.resume.new:2': [1, 0], 'exec.stop.new:2': [1, 0] }),
      line({ 'before-fork.resume.init': [10, 10], 'before-fork.stop.init': [10, 10], 'fork.resume.init': [10, 10], 'fork.stop.init': [10, 10], 'exec.resume.init': [10, 10], 'exec.stop.init': [10, 10], 'fork.resume.new:1': [1, 1], 'fork.stop.new:1': [1, 1], 'exec.resume.new:1': [1, 1], 'exec.stop.new:1': [1, 1], 'exec.resume.new:2': [1, 1], 'exec.stop.new:2': [1, 1] }),
      line({ cpus: '0', 'before-fork.resume.init': [10, 0], 'before-fork.stop.init': [10, 0] }), // pinned: not a rate
    ] };
    const r = crossCpuRates(boots);
    expect(r.first.fraction).toBe(1); // boot 1: 190/200 = 0.95; boots 2, 3: 1
    expect(r.parent.fraction).toBe(Math.round(((2000 + 2000) / (20000 + 2000)) * 1000) / 1000); // boot 1: (2 × 1000 + 20 × 100) / (20 × 1000 + 20 × 100)
    expect(r.created.fraction).toBe(Math.round(((1000 + 400) / (2000 + 400)) * 1000) / 1000);
    expect(() => crossCpuRates({ source: 't', lines: [line({ cpus: '0' })] })).toThrow(/no unpinned/);
  });
  it('the committed rates: 0 ≤ P ≤ 1, each with its boots and their load, before the first fork ≈ every wake-up', () => {
    for (const k of CROSS_CLASSES) {
      expect(rates[k].fraction).toBeGreaterThanOrEqual(0);
      expect(rates[k].fraction).toBeLessThanOrEqual(1);
      expect(rates[k].source).toMatch(/cross-cpu-timed-afternoon\.jsonl.*per boot .*load .*median of 5 boots/);
    }
    expect(rates.first.fraction).toBeGreaterThan(0.9);
    expect(rates.parent.fraction).toBeLessThan(rates.created.fraction);
  });
});

describe('calibrate-profile: UML\'s own user time and the stub\'s calls from the real-UML measurements', () => {
  const made = profilesFromCalibration({ pinned: readRuns(files('noon-pinned')), unpinned: readRuns(files('noon-unpinned')), host: readRuns(files('host-pinned')), uml });
  const c = made.pinned.costs;
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[(xs.length - 1) / 2]!;
  const user = (phase: string) => med(uml.cpuSplit.filter((l) => l.phase === phase).map((l) => l.umlUserUsPerOp)) * 1000;
  it('the real sequences give the event counts (getpid: 1 syscall stop; fork: 4 syscall stops, 23 stub runs, 6 SIGSEGV stops)', () => {
    expect(uml.events).toEqual({ getpid: { syscallStops: 1, stubRuns: 0, segvStops: 0 }, fork: { syscallStops: 4, stubRuns: 23, segvStops: 6 } });
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

describe('calibrate-profile: the host-process terms from a UML-shaped host process (calibrate/ptrace-calibrate.c umlProc*)', () => {
  // The afternoon runs with made-up umlProc* medians (distinct per run, so the median picks one):
  // what is checked is how the terms are made from them, not the values.
  const withUmlProc = (runs: NamedRun[]): NamedRun[] =>
    runs.map((r, i) => ({ name: r.name, raw: { ...r.raw, medianNs: { ...r.raw.medianNs, umlProcCreate: 90000 + 1000 * i, umlProcMmap: 2400 + 10 * i, umlProcMunmap: 2100 + 10 * i, umlProcKill: 70000 + 1000 * i, umlProcTouch: 2500 + 100 * i } } }));
  const pinned = withUmlProc(readRuns(files('afternoon-pinned')));
  const made = profilesFromCalibration({ pinned, unpinned: withUmlProc(readRuns(files('afternoon-unpinned'))), uml, cross });
  const c = made.pinned.costs;
  const g = (k: string) => [...pinned.map((r) => r.raw.medianNs[k]!)].sort((a, b) => a - b)[1]!;
  const teardown = calls(
    'kill(20278, SIGKILL)                    = 0',
    'ptrace(PTRACE_KILL, 20278)              = 0',
    'ptrace(PTRACE_CONT, 20278, NULL, 883888970) = -1 ESRCH (No such process)',
    'wait4(20278, NULL, __WALL, NULL)        = 20278',
  ); // glibc-fork-exit.strace, UML's destroy_context (uml-skas.md §7)
  const creation = calls(
    'wait4(20278, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGTRAP}], WSTOPPED|__WALL, NULL) = 20278',
    'ptrace(PTRACE_OLDSETOPTIONS, 20278, NULL, PTRACE_O_TRACESYSGOOD) = 0',
  ); // the rows after the clone stub run's own wait4 (copy_context_skas0, uml-skas.md §6)
  const sum = (cs: ReturnType<typeof calls>) => cs.reduce((n, x) => n + totalNs(price(x.entry, made.pinned, [x.transferBytes])), 0);
  it('used only when every pinned run has them; otherwise the small plain process (hostFork)', () => {
    expect(hasUmlProcess(pinned)).toBe(true);
    expect(hasUmlProcess(readRuns(files('afternoon-pinned')))).toBe(false);
    expect(hasUmlProcess([...pinned.slice(0, 2), ...readRuns(files('afternoon-pinned')).slice(2)])).toBe(false);
    expect(c.hostProcessCreateNs.source).toMatch(/umlProcCreate 91000 ns .*UML-shaped/);
    const plain = profilesFromCalibration({ pinned: readRuns(files('afternoon-pinned')), unpinned: readRuns(files('afternoon-unpinned')), uml });
    expect(plain.pinned.costs.hostProcessCreateNs.ns).toBe(g('hostFork'));
    expect(plain.pinned.costs.hostProcessExitNs.ns).toBeCloseTo(g('hostForkExitWait') - g('hostFork'), 1);
  });
  it('the teardown rows of a real UML sequence, priced, cost exactly the measured kill-to-reap interval (umlProcKill)', () => {
    expect(sum(teardown)).toBeCloseTo(g('umlProcKill'), 0);
    expect(c.hostProcessExitNs.ns).toBeCloseTo(g('umlProcKill') - 2 * g('nullSyscall') - g('peekuserWord') - g('nullPtrace'), 1);
  });
  it('the creation rows, priced, plus the child\'s stub-data mmap (in stubRunHostCallsNs) cost exactly the clone run\'s extra (umlProcCreate)', () => {
    expect(sum(creation) + g('umlProcMmap')).toBeCloseTo(g('umlProcCreate'), 0);
  });
  it('stubRunHostCallsNs prices the stub\'s mmap and munmap as timed inside the UML-shaped process', () => {
    const fork = uml.hostSyscalls.filter((l) => l.phase === 'fork');
    const mid = (xs: number[]) => { const t = [...xs].sort((a, b) => a - b); return Math.round(((t[0]! + t[t.length - 1]!) / 2) * 100) / 100; };
    const per = (nr: string) => mid(fork.map((l) => l.hostProcessSyscalls[nr] ?? 0));
    const runs = mid(fork.map((l) => l.umlStubRuns));
    expect(c.stubRunHostCallsNs.ns).toBeCloseTo((per('9') * g('umlProcMmap') + per('11') * g('umlProcMunmap') + per('10') * g('stubMprotect')) / runs, 0);
    expect(c.stubRunHostCallsNs.source).toMatch(/umlProcMmap .*umlProcMunmap/);
  });
  it('stubRemapFaultNs = (host faults per fork − 2 per SIGSEGV stop) ÷ stub runs per fork, from the same boots, × umlProcTouch; 0 without either', () => {
    const line = (hostFaultsPerFork: number, stubRunsPerFork: number) => ({ phase: 'fork', ops: 200, load1m: 0.5, hostFaultsPerFork, stubRunsPerFork });
    const times = [line(19.05, 22.11), line(18.5, 22.1), line(20, 22.2), { ...line(2, 1), phase: 'fault' }];
    const withTimes = profilesFromCalibration({ pinned, unpinned: withUmlProc(readRuns(files('afternoon-unpinned'))), uml: { ...uml, hostProcessTimes: times }, cross });
    expect(withTimes.pinned.costs.stubRemapFaultNs.ns).toBeCloseTo(((19.05 - 2 * 6) / 22.11) * g('umlProcTouch'), 1);
    expect(withTimes.pinned.costs.stubRemapFaultNs.source).toMatch(/19\.05 − 2 × 6 SIGSEGV stops per fork/);
    expect(withTimes.unpinned.costs.stubRemapFaultNs).toEqual(withTimes.pinned.costs.stubRemapFaultNs);
    expect(c.stubRemapFaultNs).toMatchObject({ ns: 0, source: expect.stringMatching(/uml-host-process-times/) });
    const plain = profilesFromCalibration({ pinned: readRuns(files('afternoon-pinned')), unpinned: readRuns(files('afternoon-unpinned')), uml: { ...uml, hostProcessTimes: times } });
    expect(plain.pinned.costs.stubRemapFaultNs).toMatchObject({ ns: 0, source: expect.stringMatching(/umlProcTouch/) });
  });
  it('the same in both pin modes (host work is measured pinned)', () => {
    for (const k of ['hostProcessCreateNs', 'hostProcessExitNs', 'stubRunHostCallsNs'] as const) expect(made.unpinned.costs[k]).toEqual(c[k]);
    expect(UML_PROCESS_KEYS).toEqual(['umlProcCreate', 'umlProcMmap', 'umlProcMunmap', 'umlProcKill']);
  });
});

describe('law: unpinned − pinned price of any log = Σ over its successful resumes of 2 × P(cross | class) × crossCpuWakeupNs', () => {
  const local = loadProfile('calibrated-local');
  const unpinned = loadProfile('calibrated-unpinned');
  const w = unpinned.costs.crossCpuWakeupNs.ns;
  const rates = unpinned.crossCpuRates!;
  const pool = fixtureLines().filter((l) => /^(ptrace|wait4|write)\(/.test(l));
  it('holds on random logs drawn from the fixture lines, priced in order (LedgerPricer)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pool), { maxLength: 60 }), (lines) => {
        const cs = calls(...lines);
        const pu = new LedgerPricer(unpinned);
        const pl = new LedgerPricer(local);
        let diff = 0;
        let expected = 0;
        for (const c of cs) {
          const cls = pu.history.classOf(c.entry.pid, c.entry.ptrace?.target ?? -1);
          const u = pu.price(c.entry, [c.transferBytes]);
          const l = pl.price(c.entry, [c.transferBytes]);
          diff += totalNs(u) - totalNs(l);
          if (c.entry.errno === null && l.roundTripNs > 0) expected += 2 * rates[CROSS_CLASSES[cls]].fraction * w;
        }
        expect(diff).toBeCloseTo(expected, 3);
      }),
      { numRuns: 200 },
    );
  });
  it('priced alone (no history), a round trip has its two wake-ups', () => {
    const [c] = calls('ptrace(PTRACE_SYSEMU, 20024, NULL, 0)   = 0');
    expect(price(c!.entry, unpinned).wakeupNs).toBe(2 * w);
  });
});
