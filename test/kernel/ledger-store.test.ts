// The compact ledger (src/kernel/ledger-store.ts) returns exactly the entries pushed into it:
// random entries (every optional field, negative and 64-bit values), and whole UML runs.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CHUNK_ROWS, Ledger } from '../../src/kernel/ledger-store.ts';
import type { LedgerEntry, PtraceSub } from '../../src/kernel/ledger.ts';
import { requestName } from '../../src/ptrace/numbers.ts';
import { runUml } from '../../src/uml/machine.ts';
import { PROFILES } from '../../src/uml/profile.ts';
import { FULL_POLICY } from '../../src/uml/policy.ts';
import { parseWorkload } from '../../src/uml/workload.ts';

const word = fc.oneof(fc.bigInt({ min: -(1n << 63n), max: (1n << 64n) - 1n }), fc.bigInt({ min: -5n, max: 5n }));
const errno = fc.constantFrom(null, 'ESRCH', 'EIO', 'EFAULT', 'ERESTARTSYS');
const request = fc.constantFrom(0, 7, 12, 13, 24, 31, 0x4204, 0x4205, 0x4300, 4294967308, -0x80000000);
const sub = request.chain((r) => fc.record({ request: fc.constant(r), requestName: fc.constant(requestName(r)), addr: word, data: word, ret: word, errno }));
const ptrace = request.chain((r) => fc.record({
  request: fc.constant(r),
  requestName: fc.constant(requestName(r)),
  target: fc.oneof(fc.integer({ min: 1, max: 40000 }), fc.constantFrom(0, -1, 2 ** 40)),
  regset: fc.option(fc.constantFrom('NT_PRSTATUS', 'NT_X86_XSTATE'), { nil: undefined }),
  sub: fc.option(fc.array(sub, { maxLength: 4 }), { nil: undefined }),
}, { requiredKeys: ['request', 'requestName', 'target'] }));
/** Rows per chunk: tiny ones so that rows, pools and drains cross chunk boundaries. */
const chunkRows = fc.constantFrom(1, 2, 4, 8, 64, CHUNK_ROWS);
const entry = fc.record({
  clockNs: fc.integer({ min: 0, max: 2 ** 52 }),
  pid: fc.integer({ min: 1, max: 40000 }),
  syscall: fc.constantFrom('ptrace', 'wait4', 'kill', 'none', 'getpid'),
  args: fc.array(word, { maxLength: 6 }),
  ret: word,
  errno,
  kind: fc.constantFrom('plain', 'ptrace', 'ptrace-args', 'wait', 'emulated'),
  p: ptrace,
  signal: fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }),
  status: fc.option(fc.integer({ min: 0, max: 0xffffff }), { nil: null }),
});

type Drawn = typeof entry extends fc.Arbitrary<infer T> ? T : never;

function build(x: Drawn, seq: number): LedgerEntry {
  const base = { seq, clockNs: x.clockNs, pid: x.pid, syscall: x.syscall, args: x.args, ret: x.ret, errno: x.errno };
  if (x.kind === 'ptrace' || x.kind === 'ptrace-args') {
    const p: Record<string, unknown> = { request: x.p.request, requestName: x.p.requestName, target: x.p.target };
    // As the kernel records them: a regset (GET/SETREGSET), a signal (resumes) or sub-requests (MULTI), at most one.
    if (x.p.sub !== undefined) p.sub = x.p.sub;
    else if (x.p.regset !== undefined) p.regset = x.p.regset;
    else if (x.signal !== undefined) p.signal = x.signal;
    const args = x.kind === 'ptrace-args' ? [BigInt(x.p.request), BigInt(x.p.target), ...x.args.slice(0, 2)] : x.args;
    return { ...base, args, ptrace: p as LedgerEntry['ptrace'] };
  }
  if (x.kind === 'wait') return { ...base, wait: { status: x.status } };
  if (x.kind === 'emulated') return { ...base, emulated: true };
  return base;
}

describe('compact ledger', () => {
  test('at(i) deep-equals every pushed entry, field order included; clone() is independent', () => {
    fc.assert(fc.property(fc.array(entry, { maxLength: 60 }), chunkRows, (xs, rows) => {
      const l = new Ledger([], rows);
      const entries = xs.map((x, i) => build(x, i));
      for (const e of entries) l.push(e);
      expect(l.length).toBe(entries.length);
      entries.forEach((e, i) => {
        const got = l.at(i)!;
        expect(got).toEqual(e);
        expect(JSON.stringify(got, (_k, v) => (typeof v === 'bigint' ? `${v}` : v))).toBe(JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? `${v}` : v)));
        expect(l.pidAt(i)).toBe(e.pid);
        expect(l.requestNameAt(i)).toBe(e.ptrace?.requestName ?? null);
      });
      const c = l.clone();
      if (entries.length) c.push({ ...entries[0]!, seq: entries.length });
      expect(l.length).toBe(entries.length);
      expect([...c].slice(0, entries.length)).toEqual(entries);
    }), { numRuns: 200 });
  });

  test('pushPtrace writes the row push() writes for the same ptrace entry', () => {
    fc.assert(fc.property(ptrace, fc.integer({ min: 1, max: 40000 }), word, word, word, errno, fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }), (p, pid, addr, data, ret, err, signal) => {
      const regset = p.sub ? undefined : p.regset;
      const sig = p.sub || regset !== undefined ? undefined : signal;
      const info: Record<string, unknown> = { request: p.request, requestName: p.requestName, target: p.target };
      if (regset !== undefined) info.regset = regset;
      if (sig !== undefined) info.signal = sig;
      if (p.sub) info.sub = p.sub;
      const entry: LedgerEntry = { seq: 0, clockNs: 7, pid, syscall: 'ptrace', args: [BigInt(p.request), BigInt(p.target), addr, data], ret, errno: err, ptrace: info as LedgerEntry['ptrace'] };
      const a = new Ledger();
      a.push(entry);
      const b = new Ledger();
      b.pushPtrace(7, pid, p.request, p.requestName, p.target, addr, data, ret, err, regset, sig, p.sub as readonly PtraceSub[] | undefined);
      expect(b.at(0)).toEqual(a.at(0));
      expect(b.at(0)).toEqual(entry);
    }), { numRuns: 200 });
  });

  test('pushWait writes the row push() writes for the same successful wait4', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 40000 }), fc.integer({ min: -2, max: 40000 }), word, fc.integer({ min: 0, max: 0x7fffffff }), fc.integer({ min: 1, max: 40000 }), fc.integer({ min: -0x80000000, max: 0x7fffffff }), (pid, target, statusAddr, options, ret, status) => {
      const entry: LedgerEntry = { seq: 0, clockNs: 9, pid, syscall: 'wait4', args: [BigInt(target), statusAddr, BigInt(options), 0n], ret: BigInt(ret), errno: null, wait: { status } };
      const a = new Ledger();
      a.push(entry);
      const b = new Ledger();
      b.pushWait(9, pid, target, statusAddr, options, ret, status);
      expect(b.at(0)).toEqual(a.at(0));
      expect(b.at(0)).toEqual(entry);
    }), { numRuns: 200 });
  });

  test('draining: every row is handed over once, in order, before it is discarded; held rows read as before', () => {
    fc.assert(fc.property(fc.array(entry, { maxLength: 80 }), fc.integer({ min: 1, max: 9 }), fc.array(fc.integer({ min: 0, max: 80 }), { maxLength: 6 }), chunkRows, (xs, rowsMax, cuts, rows) => {
      const l = new Ledger([], rows);
      const entries = xs.map((x, i) => build(x, i));
      const seen: LedgerEntry[] = [];
      l.setDrain(rowsMax, (from, to) => {
        expect(from).toBe(seen.length); // no gap, no repeat
        for (let i = from; i < to; i++) seen.push(l.at(i)!);
      });
      entries.forEach((e, i) => {
        l.maybeDrain(); // as Kernel.step does, between host calls
        l.push(e);
        expect(l.length - l.first).toBeLessThanOrEqual(rowsMax);
        if (cuts.includes(i)) { // a clone taken mid-stream holds the same rows
          const c = l.clone();
          for (let j = c.first; j < c.length; j++) expect(c.at(j)).toEqual(entries[j]);
        }
        for (let j = l.first; j < l.length; j++) expect(l.at(j)).toEqual(entries[j]);
      });
      l.drain();
      expect(seen).toEqual(entries);
      expect(l.first).toBe(entries.length);
      if (entries.length) expect(() => l.at(0)).toThrow(/simulator bug/);
    }), { numRuns: 200 });
  });

  test('a streaming ledger holds the same bytes after 2,000 rows as after 20,000 (dropped chunks are reused)', () => {
    const l = new Ledger([], 64);
    l.setDrain(50, () => {});
    const held: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      l.maybeDrain();
      l.pushWait(i, 7, 8, 0x1000n, 0x40000000, 8, 0x137f);
      if (i === 1999 || i === 19_999) held.push(l.bytesHeld());
    }
    expect(held[1]).toBe(held[0]);
    expect(l.at(19_999)).toMatchObject({ seq: 19_999, clockNs: 19_999, wait: { status: 0x137f } });
  });

  test('a UML run in multi mode round-trips (MULTI sub-requests, waits, emulated calls)', () => {
    const r = runUml({ profile: PROFILES['uml-6.1'], mode: 'multi', policy: FULL_POLICY, workload: parseWorkload('getpid:3+touch:9000+fork:1') });
    const l = r.kernel!.ledger;
    const again = new Ledger([...l]);
    expect([...again]).toEqual([...l]);
    expect(l.bytesHeld() / l.length).toBeLessThan(400); // a sanity bound, not a speed assertion
  });
});
