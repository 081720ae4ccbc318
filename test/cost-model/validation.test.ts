// The cost model against real UML 6.1 timings, and Davoli's claim re-run. The tables in
// docs/cost-model.md are generated (npm run docs:cost); this test recomputes them and checks
// the doc holds exactly that text, so a change in the model, a profile or the UML simulation
// shows up as a reviewed diff of the doc. It asserts how the numbers are computed, not a
// tolerance on reality: the errors themselves are stated in the doc, whatever they are.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  claimRows, CLAIM_SETTINGS, generatedSection, loadTimed, mixWorkload, OPERATIONS, timedRun, validationRows, withSection, BEGIN, END,
  type ClaimRow, type OperationRow,
} from '../../src/cost-model/validation.ts';

const DOC = new URL('../../docs/cost-model.md', import.meta.url).pathname;
const TIMED = new URL('../fixtures/uml/timed-6.1.json', import.meta.url).pathname;

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

describe('validation: predicted vs measured time per guest operation (uml-6.1, calibrated-local)', () => {
  it('the measured side is the pinned summary, net of one clock read', () => {
    const j = JSON.parse(readFileSync(TIMED, 'utf8')) as { summary_pinned: Record<string, number>; runs: { pinned_cpus: string; getpid: { median_ns: number } }[] };
    const s = loadTimed();
    expect(s).toEqual(j.summary_pinned);
    expect(s.getpid_net_ns).toBe(s.getpid_ns! - s.clock_gettime_ns!);
    expect(s.page_fault_first_touch_net_ns).toBe(s.page_fault_first_touch_ns! - s.clock_gettime_ns!);
    expect(s.fork_exit_wait_net_ns).toBe(s.fork_exit_wait_ns! - s.clock_gettime_ns!);
    const pinned = j.runs.filter((r) => r.pinned_cpus === '0').map((r) => r.getpid.median_ns).sort((a, b) => a - b);
    expect(s.getpid_ns).toBe(pinned[1]); // median of the three pinned runs' medians
    for (const r of rows) expect(r.measuredNs).toBe(s[r.measuredKey]);
  });

  it('getpid and the first-touch fault are modelled, with the real host-call counts (6 and 14)', () => {
    const by = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(by.getpid!.modelled && by.fault!.modelled).toBe(true);
    expect(by.getpid!.hostCallsPerOp).toBe(6);
    expect(by.fault!.hostCallsPerOp).toBe(14);
    expect(by.getpid!.roundTripsPerOp).toBe(1);
  });

  it('each prediction is (time(N + k) − time(N)) / k of priced host calls plus the kernel clock, and the error is against the measurement', () => {
    for (const r of rows.filter((x) => x.modelled)) {
      const o = OPERATIONS.find((x) => x.id === r.id)!;
      const spec = { profile: 'uml-6.1', mode: 'single', policy: 'seed', cost: 'calibrated-local' } as const;
      const a = timedRun({ ...spec, workload: o.base });
      const b = timedRun({ ...spec, workload: o.more });
      expect(r.hostCallNsPerOp).toBe(Math.round((b.priced.simulatedNs - a.priced.simulatedNs) / o.k));
      expect(r.instructionNsPerOp).toBe(Math.round((b.kernelClockNs - a.kernelClockNs) / o.k));
      expect(r.predictedNs).toBe(r.hostCallNsPerOp + r.instructionNsPerOp);
      const split = r.split.entryExitNs + r.split.requestNs + r.split.transferNs + r.split.roundTripNs;
      expect(Math.abs(split - r.hostCallNsPerOp)).toBeLessThanOrEqual(2); // rounding of four parts
      expect(r.errorPct).toBe(Math.round(((r.predictedNs - r.measuredNs) / r.measuredNs) * 1000) / 10);
    }
  }, 60_000);
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
