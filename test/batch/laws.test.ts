// Property laws of PTRACE_MULTI over random batches and random tracee states
// (ptrace-multi.md §7, L2–L8). Failures print the fast-check seed and path; replay with
// fc.assert(..., { seed, path }).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Kernel } from '../../src/kernel/kernel.ts';
import { PTRACE } from '../../src/ptrace/numbers.ts';
import { runMulti, writeBatch, type BatchEntry } from '../../src/batch/batch.ts';
import { checkBatchEquivalence } from '../../src/batch/check.ts';
import { observableState } from '../../src/batch/canonical.ts';
import { makeScenario, TRACEE_DATA, TRACER_ARRAY, TRACER_BUF, type ScenarioStop } from '../../src/batch/scenario.ts';
import { PTRACE_O } from '../../src/kernel/task.ts';

const STOPPED: ScenarioStop[] = ['signal-delivery', 'group-stop', 'syscall-enter', 'syscall-exit', 'sysemu', 'event'];
const scenarios = new Map<string, ReturnType<typeof makeScenario>>();
function scenario(version: '2006' | '2008', stop: ScenarioStop) {
  const key = `${version}/${stop}`;
  if (!scenarios.has(key)) scenarios.set(key, makeScenario({ ptraceMulti: version }, stop));
  return scenarios.get(key)!;
}

/** Plain (non-resume, non-byte-copy) entries; POKE only where the 2006 meaning holds. */
function plainEntry(version: '2006' | '2008'): fc.Arbitrary<BatchEntry> {
  const buf = fc.integer({ min: 0, max: 0x1c0 }).map((i) => TRACER_BUF + 0x400n + BigInt(i) * 8n);
  const words = fc.integer({ min: 0, max: 4 }).map(BigInt);
  const entries: fc.Arbitrary<BatchEntry>[] = [
    buf.map((b) => ({ request: PTRACE.GETREGS, addr: 0n, localaddr: b, length: 0n })),
    fc.constant({ request: PTRACE.SETREGS, addr: 0n, localaddr: TRACER_BUF, length: 0n }),
    fc.tuple(fc.integer({ min: 0, max: 500 }), buf, words).map(([o, b, n]) => ({ request: PTRACE.PEEKDATA, addr: TRACEE_DATA + BigInt(o) * 8n, localaddr: b, length: n })),
    fc.tuple(fc.integer({ min: 0, max: 30 }), buf, words).map(([o, b, n]) => ({ request: PTRACE.PEEKUSER, addr: BigInt(o) * 8n, localaddr: b, length: n })),
    buf.map((b) => ({ request: PTRACE.GETFPREGS, addr: 0n, localaddr: b, length: 0n })),
    buf.map((b) => ({ request: PTRACE.GETSIGINFO, addr: 0n, localaddr: b, length: 0n })),
    buf.map((b) => ({ request: PTRACE.GETEVENTMSG, addr: 0n, localaddr: b, length: 0n })),
    fc.constantFrom(0, PTRACE_O.TRACESYSGOOD, PTRACE_O.TRACESYSGOOD | PTRACE_O.TRACEFORK).map((o) => ({ request: PTRACE.SETOPTIONS, addr: 0n, localaddr: BigInt(o), length: 0n })),
    fc.constantFrom(999, 0x4210, 40).map((r) => ({ request: r, addr: 0n, localaddr: 0n, length: 0n })),
  ];
  if (version === '2006') {
    entries.push(fc.tuple(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 3 })).map(([o, n]) => ({ request: PTRACE.POKEDATA, addr: TRACEE_DATA + BigInt(o) * 8n, localaddr: TRACER_BUF + 0x300n, length: BigInt(n) })));
  }
  return fc.oneof(...entries);
}

const lastResume = fc.option(fc.constantFrom(PTRACE.CONT, PTRACE.SYSCALL, PTRACE.SYSEMU, PTRACE.SINGLESTEP).map((r) => ({ request: r, addr: 0n, localaddr: 0n, length: 0n })), { nil: undefined });

describe('law L3 (+L2, L4, ledger): a batch whose only resume request is last ≡ its sub-requests one by one', () => {
  for (const version of ['2008', '2006'] as const) {
    test(`PTRACE_MULTI ${version}`, { timeout: 60_000 }, () => {
      fc.assert(
        fc.property(fc.constantFrom(...STOPPED), fc.array(plainEntry(version), { maxLength: 8 }), lastResume, (stop, plain, resume) => {
          const sc = scenario(version, stop);
          const batch = resume ? [...plain, resume] : plain;
          const v = checkBatchEquivalence(sc.kernel.state, sc.tracer, sc.tracee, batch, { shrink: false });
          expect(v.differences, JSON.stringify(v.counterexample ?? v.executed)).toEqual([]);
          if (batch.length > 0) expect(v.saved).toBe(v.sequential.calls - 1);
        }),
        { numRuns: 1500 },
      );
    });
  }
});

describe('laws L5–L8', () => {
  const entries = fc.array(plainEntry('2008'), { maxLength: 6 });
  const stopArb = fc.constantFrom(...STOPPED);
  const multiState = (stop: ScenarioStop, batch: BatchEntry[], count = batch.length) => {
    const sc = scenario('2008', stop);
    const k = new Kernel(sc.kernel.state);
    writeBatch(k, sc.tracer, batch);
    const r = k.ptrace(sc.tracer, PTRACE.MULTI, sc.tracee, TRACER_ARRAY, BigInt(count));
    return { k, r, sc };
  };
  test('L5 first failure: entries after the first failing one have no effect', () => {
    fc.assert(fc.property(stopArb, entries, entries, (stop, b1, b2) => {
      const bad: BatchEntry = { request: 999, addr: 0n, localaddr: 0n, length: 0n };
      const a = multiState(stop, [...b1, bad, ...b2]);
      const b = multiState(stop, [...b1, bad]);
      expect(a.r).toEqual(b.r);
      expect(stateWithoutArray(a.k)).toBe(stateWithoutArray(b.k));
    }), { numRuns: 600 });
  });
  test('L6 concatenation: M(B1 ++ B2) ≡ M(B1); M(B2) when B1 has no resume and returns 0', () => {
    fc.assert(fc.property(stopArb, entries, entries, (stop, b1, b2) => {
      const sc = scenario('2008', stop);
      const one = new Kernel(sc.kernel.state);
      const r1 = runMulti(one, sc.tracer, sc.tracee, b1);
      fc.pre(r1.ret === 0n && r1.errno === null);
      runMulti(one, sc.tracer, sc.tracee, b2);
      const both = new Kernel(sc.kernel.state);
      runMulti(both, sc.tracer, sc.tracee, [...b1, ...b2]);
      expect(stateWithoutArray(both)).toBe(stateWithoutArray(one));
    }), { numRuns: 600 });
  });
  test('L7 count: only the first `count` entries are looked at', () => {
    fc.assert(fc.property(stopArb, entries, fc.nat(6), (stop, b, c) => {
      const count = Math.min(c, b.length);
      const a = multiState(stop, b, count);
      const p = multiState(stop, b.slice(0, count));
      expect(a.r).toEqual(p.r);
      expect(stateWithoutArray(a.k)).toBe(stateWithoutArray(p.k));
    }), { numRuns: 600 });
  });
  test('L8 idempotence of reads: a PEEK-only batch twice gives identical buffers', () => {
    const peek = fc.tuple(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 4 })).map(([o, n]): BatchEntry => ({ request: PTRACE.PEEKDATA, addr: TRACEE_DATA + BigInt(o) * 8n, localaddr: TRACER_BUF + 0x600n + BigInt(o % 32) * 8n, length: BigInt(n) }));
    fc.assert(fc.property(stopArb, fc.array(peek, { maxLength: 6 }), (stop, b) => {
      const sc = scenario('2008', stop);
      const k = new Kernel(sc.kernel.state);
      runMulti(k, sc.tracer, sc.tracee, b);
      const first = stateWithoutArray(k);
      runMulti(k, sc.tracer, sc.tracee, b);
      expect(stateWithoutArray(k)).toBe(first);
    }), { numRuns: 600 });
  });
  test('L1: on a running tracee every batch is ESRCH with no side effect', () => {
    const sc = makeScenario({ ptraceMulti: '2008' }, 'running');
    fc.assert(fc.property(entries, (b) => {
      const k = new Kernel(sc.kernel.state);
        writeBatch(k, sc.tracer, b);
      const before = observableState(k.state);
      expect(k.ptrace(sc.tracer, PTRACE.MULTI, sc.tracee, TRACER_ARRAY, BigInt(b.length)).errno).toBe('ESRCH');
      expect(observableState(k.state)).toBe(before);
    }), { numRuns: 400 });
  });
});

/** Observable state with the batch array page left out (two batches of different length differ there). */
function stateWithoutArray(k: Kernel): string {
  const s = k.state;
  const mms = Object.fromEntries(Object.entries(s.mms).map(([id, mm]) => [id, new Map([...mm.pages].filter(([pn]) => BigInt(pn) !== TRACER_ARRAY >> 12n))]));
  return observableState({ ...s, mms: Object.fromEntries(Object.entries(mms).map(([id, pages]) => [id, { ...s.mms[Number(id)]!, pages, images: s.mms[Number(id)]!.images }])) } as never);
}
