// Init's very first fork (workload fork:1, no warm-up) against the real one:
// test/fixtures/uml/glibc-first-fork.strace (the fork segment of
// `scripts/uml-capture.sh -- phases=fork fork=1 warmup=0`, traced ptrace,wait4,write) and
// glibc-first-start.strace.gz (init's start-up in the same log: from its start_userspace to the
// begin marker). The parent's flush_tlb_mm after the clone has 6 stub runs, not the 1-2 of a
// fork after a fork: fault-around PTEs still pending in .text and .rodata (fault-around.ts) and
// the written .data, .bss, [heap], [stack] (guest-libc.ts start-up; uml/README.md "init's first
// fork"). The capture has 3 ticks: withoutTicks drops their calls; one of them preempted the
// child (a switch to the parent and back, uml/README.md "tick followed by a guest
// reschedule", +3 calls each), which the model, whose clock sees no tick there, does not do.
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { traceLines } from '../../src/cli/uml-commands.ts';
import { PROT_READ, PROT_WRITE } from '../../src/kernel/memory.ts';
import { FAULT_AROUND_PAGES, faultAroundWindow } from '../../src/uml/fault-around.ts';
import { GuestMm, type UmlMemory, type Vma } from '../../src/uml/guest-mm.ts';
import { runUml } from '../../src/uml/machine.ts';
import { guestMprotect } from '../../src/uml/mprotect.ts';
import { SEED_POLICY } from '../../src/uml/policy.ts';
import { PROFILES } from '../../src/uml/profile.ts';
import { GLIBC, INIT_RELRO } from '../../src/uml/static-layout.ts';
import { parseWorkload } from '../../src/uml/workload.ts';
import { eventTokens, opTotals, realCalls, simCalls, type HostCall } from './host-seq.ts';

const run = (workload: string) => runUml({ profile: PROFILES['uml-6.1'], mode: 'single', policy: SEED_POLICY, workload: parseWorkload(workload), keepTrace: true });

/** The model's first-fork segment: from the resume after the start-up's last syscall (mprotect) to init's exit_group trap; no kill (the capture did not trace it). */
function modelSegment(workload = 'fork:1'): HostCall[] {
  const lines = traceLines(run(workload));
  const from = lines.map((l) => l.guestEvent).lastIndexOf('syscall:mprotect') + 1;
  const to = lines.findIndex((l) => l.guestEvent === 'exit:1');
  return simCalls(lines.slice(from, to)).filter((c) => c.op !== 'kill:SIGKILL');
}

const REAL = [
  'fault P1', 'stubs P1 x1', // line 11: SEGV_MAPERR 0x4310d0, fork's text page (first run of this code)
  'syscall P1', 'clone P1>P2', // the clone trap (orig_rax 0x38), copy_context_skas0
  'stubs P1 x6', // lines 42-65: flush_tlb_mm: .text, .rodata (fault-around), .data, .bss, [heap], [stack]
  'fault P1', 'stubs P1 x2', // the parent's stack COW (SEGV_ACCERR)
  'stubs P2 x11', 'switch P2', // a tick made the child run first: force_flush_all (9 VMAs) + set_child_tid (2)
  'fault P2', 'stubs P2 x1', 'syscall P2', // _Fork's text page; set_robust_list
  'fault P2', 'stubs P2 x2', 'fault P2', 'stubs P2 x2', // __fork_generation (.bss), _dl_load_lock (.data): COW copies
  'switch P1', 'syscall P1', 'switch P2', // a tick preempted the child; the parent's wait4 blocks
  'fault P2', 'stubs P2 x1', 'fault P2', 'stubs P2 x1', // its stack (reused), main's text page
  'syscall P2', 'switch P1', 'teardown P2', 'syscall P1', // exit_group, back to the parent, the mm dropped, the end marker
];

/** The same events with the real run's tick preemption undone: the parent's wait4 right after its COW, no switch pair. */
const UNPREEMPTED = [...REAL.slice(0, 7), 'syscall P1', ...REAL.slice(7, 16), ...REAL.slice(19)];

describe("init's first fork: glibc-first-fork.strace", () => {
  const real = realCalls('glibc-first-fork.strace');
  const sim = modelSegment();

  test('the real segment: 223 calls, the parent flush of 6, the child as after a warm-up', () => {
    expect(real).toHaveLength(223); // split-log.py's "host ptrace+wait4 calls 223"
    expect(eventTokens(real)).toEqual(REAL);
  });
  test('every guest event has the real host sequence (stub runs counted), the tick preemption aside', () => {
    expect(eventTokens(sim)).toEqual(UNPREEMPTED);
  });
  test('host calls per op: equal once the two tick-driven switches are taken out; each within 5% of the raw capture', () => {
    const switchOps = ['SETREGS', 'ARCH_PRCTL', 'GETREGS'];
    const unpreempted = { ...opTotals(real) };
    for (const op of switchOps) unpreempted[op]! -= 2;
    expect(opTotals(sim)).toEqual(unpreempted);
    for (const [op, n] of Object.entries(unpreempted)) expect(Math.abs(opTotals(sim)[op]! - n)).toBeLessThanOrEqual(0.05 * n);
  });
  test('the later forks of a loop are unchanged: fork:3 flushes 6, 1, 1 (the real loop after a warm-up: 2, 1, 1)', () => {
    const lines = traceLines(run('fork:3'));
    const flushes: number[] = [];
    lines.forEach((l, i) => {
      if (l.guestEvent === 'fork:flush_tlb_mm' && l.request === 'PTRACE_SETREGS' && lines[i - 3]?.guestEvent !== 'fork:flush_tlb_mm') flushes.push(0);
      if (l.guestEvent === 'fork:flush_tlb_mm' && l.request === 'PTRACE_SETREGS') flushes[flushes.length - 1]!++;
    });
    expect(flushes).toEqual([6, 1, 1]);
  });
});

describe("init's real start-up: glibc-first-start.strace.gz", () => {
  const text = gunzipSync(readFileSync(new URL('../fixtures/uml/glibc-first-start.strace.gz', import.meta.url))).toString('utf8').split('\n');
  const faults = text.filter((l) => l.includes('PTRACE_GETSIGINFO')).map((l) => /si_code=(\w+), si_addr=(0x[0-9a-f]+)/.exec(l)!.slice(1));

  test('the addresses the model takes from it: the first .bss fault, a .rodata read, the RELRO mprotect', () => {
    expect(text[103]).toContain(`si_code=SEGV_MAPERR, si_addr=0x${GLIBC.startBss.toString(16)}`); // line 104
    expect(text[1069]).toContain(`si_code=SEGV_MAPERR, si_addr=0x${GLIBC.startRodata.toString(16)}`); // line 1070
    expect(text[1173]).toMatch(new RegExp(`rdx=0x1, rsi=0x${INIT_RELRO.bytes.toString(16)}, rdi=0x${INIT_RELRO.start.toString(16)}, orig_rax=0xa,`)); // line 1174
    expect(faults.length).toBeGreaterThan(60);
  });
  test('evidence of fault-around: a SEGV_MAPERR write with 2 stub runs on a page no fault had mapped (line 290)', () => {
    expect(text[289]).toContain('si_code=SEGV_MAPERR, si_addr=0x4a70f8');
    const after = text.slice(290, 306).filter((l) => l.includes('rip=0x7fc000009b'));
    expect(after).toHaveLength(2);
    expect(faults.filter(([, a]) => a!.startsWith('0x4a7')).length).toBe(1); // its first touch
  });
  test('the model start-up: one stub run for the mprotect, as real', () => {
    const lines = traceLines(run('fork:1')).filter((l) => l.guestEvent === 'syscall:mprotect');
    expect(eventTokens(simCalls(lines))).toEqual(['syscall P1', 'stubs P1 x1']);
  });
});

describe('fault-around window (mm/memory.c do_fault_around)', () => {
  test('16 pages from the 64 KiB boundary, clipped to the VMA and the page table, and it holds the faulting page', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4000 }), fc.integer({ min: 1, max: 3000 }), fc.nat(2999), (startPage, pages, at) => {
        const vma: Vma = { start: BigInt(startPage) << 12n, end: BigInt(startPage + pages) << 12n, prot: PROT_READ, name: 'f' };
        const vpn = startPage + (at % pages);
        const { first, last } = faultAroundWindow(vma, vpn);
        expect(first).toBeLessThanOrEqual(vpn);
        expect(last).toBeGreaterThanOrEqual(vpn);
        expect(first).toBeGreaterThanOrEqual(startPage);
        expect(last).toBeLessThan(startPage + pages);
        expect(last - first + 1).toBeLessThanOrEqual(FAULT_AROUND_PAGES);
        expect(Math.floor(first / 512)).toBe(Math.floor(last / 512));
        expect(first === startPage || first % FAULT_AROUND_PAGES === 0).toBe(true);
      }),
    );
  });
  test("init's entry fault maps .text's first 16 pages (the window starts at the VMA, then runs 16 pages)", () => {
    const text: Vma = { start: 0x401000n, end: 0x47b000n, prot: PROT_READ, name: 'init:text' };
    expect(faultAroundWindow(text, 0x401)).toEqual({ first: 0x401, last: 0x410 });
    const rodata: Vma = { start: 0x47b000n, end: 0x4a3000n, prot: PROT_READ, name: 'init:rodata' };
    expect(faultAroundWindow(rodata, Number(GLIBC.startRodata >> 12n))).toEqual({ first: 0x480, last: 0x48f }); // not the write parts' message page 0x47c
  });
});

describe('guest mprotect (mm/mprotect.c)', () => {
  const setup = () => {
    const ranges: [bigint, bigint][] = [];
    const mem = { fixRange: (_mm: GuestMm, s: bigint, e: bigint) => ranges.push([s, e]) } as unknown as UmlMemory;
    const mm = new GuestMm(1, 0, 0n);
    mm.vmas.push({ start: 0x4a3000n, end: 0x4aa000n, prot: PROT_READ | PROT_WRITE, name: 'init:data' });
    mm.ptes.set(0x4a4, { frame: 1, prot: PROT_READ | PROT_WRITE });
    mm.ptes.set(0x4a8, { frame: 2, prot: PROT_READ | PROT_WRITE });
    return { mem, mm, ranges };
  };
  test("glibc's RELRO mprotect splits PT_LOAD 3, write-protects its PTEs and flushes the range once", () => {
    const { mem, mm, ranges } = setup();
    expect(guestMprotect(mem, mm, INIT_RELRO.start, INIT_RELRO.bytes, PROT_READ)).toBe(0n);
    expect(mm.vmas.map((v) => [v.start, v.end, v.prot])).toEqual([
      [0x4a3000n, 0x4a7000n, PROT_READ],
      [0x4a7000n, 0x4aa000n, PROT_READ | PROT_WRITE],
    ]);
    expect(mm.ptes.get(0x4a4)!.prot).toBe(PROT_READ);
    expect(mm.ptes.get(0x4a8)!.prot).toBe(PROT_READ | PROT_WRITE);
    expect(ranges).toEqual([[0x4a3000n, 0x4a7000n]]);
  });
  test('errors are errno values: EINVAL for an unaligned start, ENOMEM over a hole', () => {
    const { mem, mm, ranges } = setup();
    expect(guestMprotect(mem, mm, 0x4a3001n, 0x1000n, PROT_READ)).toBe(-22n & 0xffffffffffffffffn);
    expect(guestMprotect(mem, mm, 0x4a9000n, 0x2000n, PROT_READ)).toBe(-12n & 0xffffffffffffffffn);
    expect(ranges).toEqual([]);
    expect(mm.vmas).toHaveLength(1);
  });
});
