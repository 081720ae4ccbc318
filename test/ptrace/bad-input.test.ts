// Bad input through the public API never crashes the simulator: arbitrary request numbers,
// pids, addresses, data pointers, regset types, signals, wait4 options and kill signals all
// come back as a kernel errno (or success), never as an exception, in every tracee state —
// and the kernel invariants still hold afterwards.
//
// Replay a failure: PTSIM_SEED=<seed> PTSIM_PATH=<path> npx vitest run test/ptrace/bad-input.test.ts
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { SysResult } from '../../src/kernel/kernel.ts';
import { SIG } from '../../src/kernel/signals.ts';
import { textBase } from '../../src/kernel/state.ts';
import { __WALL } from '../../src/kernel/wait-status.ts';
import { NT, PTRACE } from '../../src/ptrace/numbers.ts';
import { REQUEST_TABLE } from '../../src/ptrace/request-table.ts';
import {
  BAD, BUF, checkInvariants, stableJson, isKernelErrno, newModel, NONEXISTENT_PID, OUT_IOV, OUT_REGSET, RO, Rig, UNMAPPED, type Model, type ProfileName, type TraceeSpec,
} from './harness.ts';

const SEED = process.env.PTSIM_SEED !== undefined ? Number(process.env.PTSIM_SEED) : 20261126;
const PATH = process.env.PTSIM_PATH;
const opts = { seed: SEED, numRuns: Number(process.env.PTSIM_RUNS ?? 150), ...(PATH ? { path: PATH, endOnFailure: true } : {}) };

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

type State = 'stopped' | 'running' | 'zombie' | 'untraced' | 'listening' | 'syscall-stop';

const SPIN: TraceeSpec = { loop: 1, body: [{ op: 'getpid' }], end: 'spin', code: 0 };
const EXIT: TraceeSpec = { loop: 1, body: [{ op: 'getpid' }], end: 'exit', code: 7 };

/** A rig whose first child is in the given state. */
function rigIn(profile: ProfileName, state: State): Rig {
  const modern = profile === '6.18';
  const spec = state === 'zombie' ? EXIT : SPIN;
  const mode = state === 'untraced' ? 'none' : state === 'listening' && modern ? 'seize' : 'traceme';
  const r = Rig.create({ profile, seed: 7, tracees: [{ spec, mode }], seizeOptions: 0 });
  const c = r.children[0]!;
  if (mode === 'traceme') r.wait4(c, __WALL); // the SIGSTOP delivery-stop
  switch (state) {
    case 'running': r.ptrace(PTRACE.CONT, c); break;
    case 'zombie': r.ptrace(PTRACE.CONT, c); r.k.settle(); break;
    case 'syscall-stop': r.ptrace(PTRACE.SYSCALL, c); r.wait4(c, __WALL); break;
    case 'listening':
      if (modern) { r.ptrace(PTRACE.INTERRUPT, c); r.wait4(c, __WALL); r.ptrace(PTRACE.LISTEN, c); }
      break;
    default: break;
  }
  return r;
}

const u64 = (1n << 64n) - 1n;
const anyWord = fc.oneof(
  fc.constantFrom(0n, BAD, UNMAPPED, BUF, BUF + 3n, OUT_IOV, OUT_REGSET, RO, textBase({ name: 'x86_64' } as never) + 3n,
    0xffff800000000000n, 0xffffffff81000000n, 0xc0000000n, -1n, -8n, -(1n << 63n), u64, 1n << 63n, 65n, 64n, 9n, 19n,
    BigInt(NT.NT_PRSTATUS), BigInt(NT.NT_X86_XSTATE), 0x46e62b7fn),
  fc.bigInt({ min: -(1n << 63n), max: u64 }),
);
const anyRequest = fc.oneof(
  fc.constantFrom(...REQUEST_TABLE.map((e) => e.nr)),
  fc.constantFrom(-1, 0x4300, 0x4301, 0x4302, 0x4303, 2 ** 31, 2 ** 32 + 12, INT_MIN, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER),
  fc.integer(),
);
type PidPick = 'child' | 'self' | 'init' | number;
const anyPid: fc.Arbitrary<PidPick> = fc.oneof(
  fc.constantFrom<PidPick>('child', 'child', 'child', 'self', 'init', NONEXISTENT_PID, 0, -1, INT_MIN, INT_MAX),
  fc.integer({ min: INT_MIN, max: INT_MAX }),
);
const anySig = fc.oneof(fc.constantFrom(-1, 0, 9, 19, 18, 64, 65, 2 ** 63, INT_MIN, INT_MAX), fc.integer());
const anyOptions = fc.oneof(fc.constantFrom(0, 1, __WALL, __WALL | 1, 0x80000000, 0x01000000, -1, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER), fc.integer());

type Call =
  | { kind: 'ptrace'; req: number; pid: PidPick; addr: bigint; data: bigint }
  | { kind: 'wait4'; pid: PidPick; options: number; status: bigint }
  | { kind: 'kill'; pid: PidPick; sig: number };

const callArb: fc.Arbitrary<Call> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('ptrace' as const), req: anyRequest, pid: anyPid, addr: anyWord, data: anyWord }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('wait4' as const), pid: anyPid, options: anyOptions, status: anyWord }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('kill' as const), pid: anyPid, sig: anySig }), weight: 1 },
);

function pidOf(p: PidPick, r: Rig): number {
  return p === 'child' ? r.children[0]! : p === 'self' ? r.T : p === 'init' ? 1 : p;
}

function perform(r: Rig, c: Call): SysResult {
  switch (c.kind) {
    case 'ptrace': return r.ptrace(c.req, pidOf(c.pid, r), c.addr, c.data);
    case 'wait4': return r.wait4(pidOf(c.pid, r), c.options, c.status);
    case 'kill': return r.kill(pidOf(c.pid, r), c.sig);
  }
}

function checkResult(c: Call, res: SysResult): void {
  const what = JSON.stringify(c, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
  if (!isKernelErrno(res.errno)) throw new Error(`${what}: not a kernel errno: ${res.errno}`);
  if (typeof res.ret !== 'bigint') throw new Error(`${what}: ret is not a bigint`);
  if (res.errno !== null && res.ret !== -1n) throw new Error(`${what}: errno ${res.errno} with ret ${res.ret}`);
  if (res.errno === null && res.ret < 0n) throw new Error(`${what}: negative ret ${res.ret} without errno`);
}

const STATES: State[] = ['stopped', 'running', 'zombie', 'untraced', 'listening', 'syscall-stop'];

describe(`bad input never throws (seed=${SEED}; replay: PTSIM_SEED=${SEED} PTSIM_PATH=<path> npx vitest run test/ptrace/bad-input.test.ts)`, () => {
  for (const profile of ['6.18', '2.6.26'] as ProfileName[]) {
    test(`arbitrary ptrace / wait4 / kill arguments in every tracee state (${profile})`, () => {
      fc.assert(fc.property(fc.constantFrom(...STATES), fc.array(callArb, { minLength: 1, maxLength: 12 }), (state, calls) => {
        const r = rigIn(profile, state);
        const m: Model = newModel(r);
        for (const c of calls) {
          const res = perform(r, c); // an exception here is a simulator bug
          checkResult(c, res);
          m.stopReported.clear();
          checkInvariants(m, r);
        }
      }), opts);
    }, 60_000);
  }

  for (const profile of ['6.18', '2.6.26'] as ProfileName[]) {
    test(`a negative addr/data means its unsigned word: same result, same state (${profile})`, () => {
      const bits = profile === '6.18' ? 64 : 32;
      const bases = Object.fromEntries(STATES.map((st) => [st, rigIn(profile, st)]));
      fc.assert(fc.property(fc.constantFrom(...STATES), fc.constantFrom(...REQUEST_TABLE.map((e) => e.nr)), fc.bigInt({ min: -(1n << BigInt(bits - 1)), max: -1n }), fc.boolean(), (st, req, neg, inAddr) => {
        const base = bases[st]!;
        const [a, b] = [base.clone(), base.clone()];
        const pid = base.children[0]!;
        const x = a.ptrace(req, pid, inAddr ? neg : 0n, inAddr ? 0n : neg);
        const y = b.ptrace(req, pid, inAddr ? BigInt.asUintN(bits, neg) : 0n, inAddr ? 0n : BigInt.asUintN(bits, neg));
        expect([x.ret, x.errno]).toEqual([y.ret, y.errno]);
        expect(stableJson(a.k.state)).toBe(stableJson(b.k.state));
      }), opts);
    }, 60_000);
  }

  test('the literal edge cases from the brief, once each', () => {
    for (const profile of ['6.18', '2.6.26'] as ProfileName[]) {
      for (const state of STATES) {
        const r = rigIn(profile, state);
        const c = r.children[0]!;
        const t = r.k.task(c)!;
        const kind = { stopped: 'ptrace-stop', running: 'running', zombie: 'zombie', untraced: 'running', listening: 'ptrace-stop', 'syscall-stop': 'ptrace-stop' }[state];
        expect(`${state}: ${t.run.kind}`).toBe(`${state}: ${kind}`);
        if (state === 'listening' && profile === '6.18') expect(t.listening).toBe(true);
        if (state === 'untraced') expect(t.tracer).toBeNull();
        for (const sig of [-1n, 65n, 1n << 63n, u64]) {
          for (const req of [PTRACE.CONT, PTRACE.SYSCALL, PTRACE.SINGLESTEP, PTRACE.SYSEMU, PTRACE.DETACH]) {
            const res = r.ptrace(req, c, 0n, sig);
            expect(res.errno).not.toBeNull();
          }
        }
        for (const sig of [-1, 65, 2 ** 63]) expect(r.kill(c, sig).errno).toBe('EINVAL');
        for (const pid of [0, -1, INT_MIN, r.T, 1, NONEXISTENT_PID]) expect(isKernelErrno(r.ptrace(PTRACE.GETREGS, pid, 0n, BUF).errno)).toBe(true);
        expect(r.wait4(-1, 0x10).errno).toBe('EINVAL');
        expect(r.kill(NONEXISTENT_PID, SIG.SIGKILL).errno).toBe('ESRCH');
        checkInvariants(newModel(r), r);
      }
    }
  });
});
