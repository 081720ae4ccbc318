// The cost model against real UML 6.1 timings, and Davoli's claim re-run. The tables in
// docs/cost-model.md are generated (npm run docs:cost); this test recomputes them and checks
// the doc holds exactly that text, so a change in the model, a profile or the UML simulation
// shows up as a reviewed diff of the doc. It asserts how the numbers are computed, not a
// tolerance on reality: the errors themselves are stated in the doc, whatever they are.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  claimRows, CLAIM_SETTINGS, generatedSection, mixWorkload, OPERATIONS, REPO_ROOT, timedRun, validationRows, withSection, BEGIN, END,
  type ClaimRow, type OperationRow,
} from '../../src/cost-model/validation.ts';
import { crossCpu, loadTimedRuns, median } from '../../src/cost-model/timed-fixtures.ts';
import { loadProfile } from '../../src/cost-model/profile.ts';

const DOC = new URL('../../docs/cost-model.md', import.meta.url).pathname;

let rows: OperationRow[];
let claims: ClaimRow[];

beforeAll(() => {
  rows = validationRows();
  claims = claimRows();
}, 120_000);

describe('docs/cost-model.md is generated from the computation', () => {
  it('holds the generated section exactly (else: npm run docs:cost, then review the diff)', () => {
    const doc = readFileSync(DOC, 'utf8');
    const section = generatedSection(rows, claims);
    expect(doc.includes(BEGIN) && doc.includes(END), 'docs/cost-model.md lacks the generated section: run npm run docs:cost').toBe(true);
    expect(withSection(doc, section) === doc, 'docs/cost-model.md is out of date: run npm run docs:cost and review the diff').toBe(true);
  });

  it('withSection replaces only the marked section', () => {
    const doc = `intro\n\n${BEGIN}\nold\n${END}\n\nafter\n`;
    expect(withSection(doc, `${BEGIN}\nnew\n${END}`)).toBe(`intro\n\n${BEGIN}\nnew\n${END}\n\nafter\n`);
    expect(withSection('no markers', 'S')).toBe('no markers\n\nS\n');
  });
});

describe('validation: the measured side (real UML 6.1, no strace, timed-6.1-2026-12-03)', () => {
  const runs = loadTimedRuns(REPO_ROOT);
  it('holds the idle and noon runs (3 pinned, 3 unpinned each), the afternoon, evening and late ones (6 each) and the busy ones, each named for its pin mode', () => {
    const count = (session: string, mode: string) => runs.filter((r) => r.session === session && r.mode === mode).length;
    expect([count('idle', 'pinned'), count('idle', 'unpinned')]).toEqual([3, 3]);
    expect([count('noon', 'pinned'), count('noon', 'unpinned')]).toEqual([3, 3]);
    expect([count('afternoon', 'pinned'), count('afternoon', 'unpinned')]).toEqual([6, 6]);
    expect([count('evening', 'pinned'), count('evening', 'unpinned')]).toEqual([6, 6]);
    expect([count('late', 'pinned'), count('late', 'unpinned')]).toEqual([6, 6]);
    expect(count('busy', 'pinned')).toBeGreaterThanOrEqual(5);
    expect(count('busy', 'unpinned')).toBeGreaterThanOrEqual(5);
    for (const r of runs.filter((x) => x.session === 'busy')) expect(r.medianNs.write_console_64).toBeGreaterThan(0);
  });
  it('every idle unpinned run was in the cross-CPU placement; the rule compares clock pairs with the pinned ones', () => {
    for (const r of runs.filter((x) => x.session !== 'busy' && x.mode === 'unpinned')) expect(crossCpu(r, runs)).toBe(true);
    for (const r of runs.filter((x) => x.mode === 'pinned')) expect(crossCpu(r, runs)).toBe(false);
  });
  it('each measured value is the median of the used runs\' medians net of their own clock pair', () => {
    for (const row of rows) {
      const set = runs.filter((r) => r.session === row.session && r.mode === row.mode);
      const used = row.mode === 'pinned' ? set : set.filter((r) => crossCpu(r, runs));
      expect(row.measured.runs.map((x) => x.file)).toEqual(used.map((r) => r.file));
      const nets = used.map((r) => r.medianNs[row.timedKey]! - r.medianNs.clock_pair!);
      expect(row.measured.netNs).toBe(median(nets));
      expect(row.measured.sameCpuRuns.length + used.length).toBe(set.length);
    }
  });
});

describe('validation: the real host-call sequences (strace fixtures), priced', () => {
  const by = (id: string, mode: 'pinned' | 'unpinned') => rows.find((r) => r.id === id && r.mode === mode)!;
  it('have the counts uml/README.md gives: 6 calls a syscall, 14 a fault, 177 ptrace/wait4 + 1 kill for fork + exit + wait with the end-marker trap (glibc-fork-exit.strace)', () => {
    expect(by('getpid', 'pinned').real.events).toEqual({ hostCalls: 6, roundTrips: 1, segvStops: 0, processesCreated: 0, processesReaped: 0, syscallStops: 1, stubRuns: 0, roundTripsFirst: 1, roundTripsParent: 0, roundTripsCreated: 0 });
    expect(by('write', 'pinned').real.events.hostCalls).toBe(7); // + UML's host write(1, …)
    expect(by('fault', 'pinned').real.events).toMatchObject({ hostCalls: 14, roundTrips: 3, segvStops: 1, syscallStops: 0, stubRuns: 1 });
    // fork: 23 stub runs (the clone, the parent's flushes, the child's force_flush_all, the faults' mmaps)
    expect(by('fork', 'pinned').real.events).toMatchObject({ hostCalls: 177 + 1 - 6, processesCreated: 1, processesReaped: 1, stubRuns: 23, syscallStops: 4 });
    expect(by('exec', 'pinned').real.events).toMatchObject({ processesCreated: 2, processesReaped: 2, stubRuns: 30 });
  });
  it('the pin modes differ by the round trips\' cross-CPU wake-ups, 2 × P(cross | class) each, nothing else', () => {
    const u0 = loadProfile('calibrated-unpinned');
    const w = u0.costs.crossCpuWakeupNs.ns;
    const r = u0.crossCpuRates!;
    for (const id of OPERATIONS.map((o) => o.id)) {
      const p = by(id, 'pinned').real;
      const u = by(id, 'unpinned').real;
      const e = u.events;
      expect(e.roundTripsFirst + e.roundTripsParent + e.roundTripsCreated).toBeCloseTo(e.roundTrips, 9);
      const wake = 2 * w * (e.roundTripsFirst * r.first.fraction + e.roundTripsParent * r.parent.fraction + e.roundTripsCreated * r.created.fraction);
      expect(p.split.wakeupNs).toBe(0);
      expect(u.split.wakeupNs).toBeCloseTo(wake, 6);
      expect(u.totalNs - p.totalNs).toBeCloseTo(wake, 6);
    }
  });
  it('classes in the timed init\'s order: getpid, write, fault before any fork (first); fork and exec as one of their loops (init\'s: parent; the new processes: created)', () => {
    for (const id of ['getpid', 'write', 'fault']) expect(by(id, 'pinned').real.events).toMatchObject({ roundTripsParent: 0, roundTripsCreated: 0 });
    expect(by('fork', 'pinned').real.events).toMatchObject({ roundTrips: 39, roundTripsFirst: 0, roundTripsParent: 9, roundTripsCreated: 30 });
    expect(by('exec', 'pinned').real.events).toMatchObject({ roundTrips: 50, roundTripsFirst: 0, roundTripsParent: 8, roundTripsCreated: 42 });
  });
  it('host work is the events × the terms, the same way for every operation', () => {
    const c = loadProfile('calibrated-local').costs;
    for (const r of rows) {
      const e = r.real.events;
      expect(r.real.split.hostWorkNs).toBeCloseTo(
        e.segvStops * c.hostPageFaultNs.ns + e.processesCreated * c.hostProcessCreateNs.ns + e.processesReaped * c.hostProcessExitNs.ns
          + e.syscallStops * c.umlSyscallStopUserNs.ns + e.stubRuns * (c.umlStubRunUserNs.ns + c.stubRunHostCallsNs.ns + c.stubRemapFaultNs.ns),
        6,
      );
    }
  });
  it('one prediction per operation and pin mode, whichever session measures it (the held-out rows are not refitted)', () => {
    for (const r of rows) {
      const own = rows.find((x) => x.id === r.id && x.mode === r.mode && x.session === 'late')!;
      expect(r.real.totalNs).toBe(own.real.totalNs);
      expect(r.model?.predictedNs).toBe(own.model?.predictedNs);
    }
    expect(new Set(rows.map((r) => r.session))).toEqual(new Set(['late', 'afternoon', 'evening', 'noon', 'idle', 'busy']));
  });
  it('the errors are (predicted − measured) / measured, for the real sequence and the simulated run', () => {
    for (const r of rows) {
      expect(r.errorPct).toBe(Math.round(((r.real.totalNs - r.measured.netNs) / r.measured.netNs) * 1000) / 10);
      if (r.model) expect(r.modelErrorPct).toBe(Math.round(((r.model.predictedNs - r.measured.netNs) / r.measured.netNs) * 1000) / 10);
    }
  });
  it('the simulated run prices the model\'s per-operation host calls with the same profiles (getpid: 6 calls, equal to the real sequence)', () => {
    expect(by('getpid', 'pinned').model!.hostCallsPerOp).toBe(6);
    expect(by('fault', 'pinned').model!.hostCallsPerOp).toBe(14);
    expect(by('getpid', 'pinned').model!.predictedNs).toBeCloseTo(by('getpid', 'pinned').real.totalNs, -2);
  });
});

describe("Davoli's claim: the mixed workload in single and multi mode", () => {
  it('runs the three settings on the same mix, guest-visibly identical in both modes', () => {
    expect(claims.map((c) => [c.profile, c.policy, c.cost])).toEqual(CLAIM_SETTINGS.map((c) => [c.profile, c.policy, c.cost]));
    expect(claims[0]).toMatchObject({ profile: 'uml-2.6.26', policy: 'seed', cost: 'i386-2008' });
    for (const c of claims) expect(c.equivalent).toBe(true);
    expect(mixWorkload()).toMatch(/getpid:\d+\+write:\d+x\d+\+touch:\d+\+sleep:\d+/);
  });

  it('counts every host syscall UML makes (wait4, kill, timers included), as Davoli did', () => {
    const t = timedRun({ profile: 'uml-6.1', mode: 'single', policy: 'seed', workload: mixWorkload(), cost: 'calibrated-local' });
    const all = Object.values(t.priced.bySyscall).reduce((n, x) => n + x, 0);
    expect(t.priced.hostSyscalls).toBe(all);
    expect(t.priced.bySyscall.wait4).toBeGreaterThan(0);
    expect(t.priced.bySyscall.kill).toBeGreaterThan(0);
    expect(t.priced.bySyscall.timer_settime).toBeGreaterThan(0);
    expect(claims[1]!.single.hostSyscalls).toBe(t.priced.hostSyscalls);
  }, 60_000);

  it('fraction saved and speed-up are computed from the counts and the priced times', () => {
    for (const c of claims) {
      expect(c.savedFraction).toBeCloseTo((c.single.hostSyscalls - c.multi.hostSyscalls) / c.single.hostSyscalls, 12);
      expect(c.speedup).toBeCloseTo(c.single.simulatedNs / c.multi.simulatedNs, 12);
      expect(c.multi.hostSyscalls).toBeLessThanOrEqual(c.single.hostSyscalls);
      expect(c.single.kernelClockNs).toBe(c.multi.kernelClockNs); // batching does not change what the guest runs
    }
  });
});
