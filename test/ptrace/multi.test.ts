// PTRACE_MULTI and PTRACE_VM semantics, one named test per quirk of the published patches
// (ptrace-multi.md §3–§7; ptrace.md §11).
import { describe, expect, test } from 'vitest';
import { Kernel } from '../../src/kernel/kernel.ts';
import { PTRACE } from '../../src/ptrace/numbers.ts';
import { runMulti, type BatchEntry } from '../../src/batch/batch.ts';
import { makeScenario, TRACEE_DATA, TRACEE_UNMAPPED, TRACER_ARRAY, TRACER_BUF } from '../../src/batch/scenario.ts';
import { checkBatchEquivalence } from '../../src/batch/check.ts';
import { testPtraceSysptvmAndPtmulti } from '../../src/uml/probe-sysptvm.ts';
import { PTRACE_O } from '../../src/kernel/task.ts';
import { __WALL } from '../../src/kernel/wait-status.ts';

const e = (request: number, addr = 0n, localaddr = 0n, length = 0n): BatchEntry => ({ request, addr, localaddr, length });

describe('stock kernel answers the MULTI range like Linux 6.18', () => {
  test('0x4300 gives ESRCH on a running tracee and EIO on a stopped one', () => {
    const sc = makeScenario({ ptraceMulti: false }, 'signal-delivery');
    expect(sc.kernel.ptrace(sc.tracer, PTRACE.MULTI, sc.tracee, TRACER_ARRAY, 0n).errno).toBe('EIO');
    const run = makeScenario({ ptraceMulti: false }, 'running');
    expect(run.kernel.ptrace(run.tracer, PTRACE.MULTI, run.tracee, TRACER_ARRAY, 0n).errno).toBe('ESRCH');
  });
  test('sub-request numbers 0x4301..0x4303 are unknown requests (EIO when stopped)', () => {
    const sc = makeScenario({ ptraceMulti: false }, 'signal-delivery');
    for (const r of [PTRACE.PEEKCHARDATA, PTRACE.POKECHARDATA, PTRACE.PEEKSTRINGDATA]) {
      expect(sc.kernel.ptrace(sc.tracer, r, sc.tracee, 0n, 0n).errno).toBe('EIO');
    }
  });
  test('request 33 is PTRACE_SINGLEBLOCK and resumes the tracee (the old PTRACE_SYSVM probe)', () => {
    const sc = makeScenario({}, 'signal-delivery');
    expect(sc.kernel.ptrace(sc.tracer, 33, sc.tracee, 0x80000000n, 0n).ret).toBe(0n);
    expect(sc.kernel.wait4(sc.tracer, sc.tracee, 0).status).toBe(0x57f);
  });
});

describe('PTRACE_MULTI (2008)', () => {
  test('L0: an empty batch returns 0 on a stopped tracee (UML feature probe) and ESRCH on a running one', () => {
    const sc = makeScenario({}, 'syscall-enter');
    expect(sc.kernel.ptrace(sc.tracer, PTRACE.MULTI, sc.tracee, TRACER_ARRAY, 0n)).toMatchObject({ ret: 0n, errno: null });
    const run = makeScenario({}, 'running');
    expect(run.kernel.ptrace(run.tracer, PTRACE.MULTI, run.tracee, TRACER_ARRAY, 0n).errno).toBe('ESRCH');
  });
  test('a negative count or an array beyond user space is EIO', () => {
    const sc = makeScenario({}, 'syscall-enter');
    expect(sc.kernel.ptrace(sc.tracer, PTRACE.MULTI, sc.tracee, TRACER_ARRAY, -1n).errno).toBe('EIO');
    expect(sc.kernel.ptrace(sc.tracer, PTRACE.MULTI, sc.tracee, 0x7ffffffff000n, 1n).errno).toBe('EIO');
  });
  test('one ledger entry lists its sub-requests; a word entry of length n is n sub-requests', () => {
    const sc = makeScenario({}, 'syscall-enter');
    const before = sc.kernel.ledger.length;
    runMulti(sc.kernel, sc.tracer, sc.tracee, [e(PTRACE.GETREGS, 0n, TRACER_BUF + 0x400n), e(PTRACE.PEEKDATA, TRACEE_DATA, TRACER_BUF + 0x600n, 3n)]);
    const added = sc.kernel.ledger.slice(before);
    expect(added).toHaveLength(1);
    expect(added[0]!.ptrace!.requestName).toBe('PTRACE_MULTI');
    expect(added[0]!.ptrace!.sub!.map((s) => s.requestName)).toEqual(['PTRACE_GETREGS', 'PTRACE_PEEKDATA', 'PTRACE_PEEKDATA', 'PTRACE_PEEKDATA']);
  });
  test('L4: PEEKDATA with length 0 reads one word, like length 1', () => {
    const sc = makeScenario({}, 'syscall-enter');
    runMulti(sc.kernel, sc.tracer, sc.tracee, [e(PTRACE.PEEKDATA, TRACEE_DATA, TRACER_BUF + 0x600n, 0n)]);
    expect(sc.kernel.ledger.at(-1)!.ptrace!.sub).toHaveLength(1);
    expect(sc.kernel.readWord(sc.tracer, TRACER_BUF + 0x600n)).toBe(sc.kernel.readWord(sc.tracer, TRACEE_DATA));
  });
  test('D6: the 2008 POKE path writes the buffer ADDRESS, not the word stored there', () => {
    const sc = makeScenario({ ptraceMulti: '2008' }, 'syscall-enter');
    sc.kernel.writeWord(sc.tracer, TRACER_BUF + 0x300n, 0x1234n);
    runMulti(sc.kernel, sc.tracer, sc.tracee, [e(PTRACE.POKEDATA, TRACEE_DATA + 64n, TRACER_BUF + 0x300n, 1n)]);
    sc.kernel.ptrace(sc.tracer, PTRACE.PEEKDATA, sc.tracee, TRACEE_DATA + 64n, TRACER_BUF + 0x900n);
    expect(sc.kernel.readWord(sc.tracer, TRACER_BUF + 0x900n)).toBe(TRACER_BUF + 0x300n);
  });
  test('the 2006 POKE path writes the word stored at localaddr', () => {
    const sc = makeScenario({ ptraceMulti: '2006' }, 'syscall-enter');
    sc.kernel.writeWord(sc.tracer, TRACER_BUF + 0x300n, 0x1234n);
    runMulti(sc.kernel, sc.tracer, sc.tracee, [e(PTRACE.POKEDATA, TRACEE_DATA + 64n, TRACER_BUF + 0x300n, 1n)]);
    sc.kernel.ptrace(sc.tracer, PTRACE.PEEKDATA, sc.tracee, TRACEE_DATA + 64n, TRACER_BUF + 0x900n);
    expect(sc.kernel.readWord(sc.tracer, TRACER_BUF + 0x900n)).toBe(0x1234n);
  });
  test('D1: {CONT, GETREGS} returns 0 and reads the registers of the now running tracee; sequentially GETREGS is ESRCH', () => {
    const sc = makeScenario({}, 'syscall-enter');
    const v = checkBatchEquivalence(sc.kernel.state, sc.tracer, sc.tracee, [e(PTRACE.CONT), e(PTRACE.GETREGS, 0n, TRACER_BUF + 0x400n)]);
    expect(v.multi).toMatchObject({ ret: '0', errno: null });
    expect(v.sequential).toMatchObject({ ret: '-1', errno: 'ESRCH' });
    expect(v.divergences).toEqual(['D1-resume-not-last']);
  });
  test('D3: {KILL} on a running tracee is ESRCH (the batch check is not KILL-exempt); a lone KILL kills it', () => {
    const sc = makeScenario({}, 'running');
    expect(runMulti(sc.kernel, sc.tracer, sc.tracee, [e(PTRACE.KILL)]).errno).toBe('ESRCH');
    expect(sc.kernel.ptrace(sc.tracer, PTRACE.KILL, sc.tracee).ret).toBe(0n);
    expect(sc.kernel.wait4(sc.tracer, sc.tracee, __WALL).status).toBe(9);
  });
  test('D4: {DETACH, PEEKDATA} returns 0 and the peek works on the untraced task', () => {
    const sc = makeScenario({}, 'syscall-enter');
    const r = runMulti(sc.kernel, sc.tracer, sc.tracee, [e(PTRACE.DETACH), e(PTRACE.PEEKDATA, TRACEE_DATA, TRACER_BUF + 0x600n, 1n)]);
    expect(r).toMatchObject({ ret: 0n, errno: null });
    expect(sc.kernel.task(sc.tracee)!.tracer).toBeNull();
    expect(sc.kernel.readWord(sc.tracer, TRACER_BUF + 0x600n)).toBe(sc.kernel.readWord(sc.tracer, TRACEE_DATA));
  });
  test('D5: a successful PEEKCHARDATA returns its byte count and ends the batch', () => {
    const sc = makeScenario({}, 'syscall-enter');
    const r = runMulti(sc.kernel, sc.tracer, sc.tracee, [e(PTRACE.PEEKCHARDATA, TRACEE_DATA, TRACER_BUF + 0x700n, 16n), e(PTRACE.GETREGS, 0n, TRACER_BUF + 0x400n)]);
    expect(r.ret).toBe(16n);
    expect(sc.kernel.ledger.at(-1)!.ptrace!.sub!.map((s) => s.requestName)).toEqual(['PTRACE_PEEKCHARDATA']);
  });
  test('D7: PEEKCHARDATA at an unmapped address "succeeds" with 0 bytes and the batch goes on', () => {
    const sc = makeScenario({}, 'syscall-enter');
    const r = runMulti(sc.kernel, sc.tracer, sc.tracee, [e(PTRACE.PEEKCHARDATA, TRACEE_UNMAPPED, TRACER_BUF + 0x700n, 16n), e(PTRACE.GETREGS, 0n, TRACER_BUF + 0x400n)]);
    expect(r).toMatchObject({ ret: 0n, errno: null });
    expect(sc.kernel.ledger.at(-1)!.ptrace!.sub).toHaveLength(2);
    expect(sc.kernel.ptrace(sc.tracer, PTRACE.PEEKDATA, sc.tracee, TRACEE_UNMAPPED, TRACER_BUF).errno).toBe('EIO');
  });
  test('PEEKCHARDATA stops at the end of the mapping; PEEKSTRINGDATA after the first NUL', () => {
    const sc = makeScenario({}, 'syscall-enter');
    const near = TRACEE_UNMAPPED - 0x1000n + 0xff8n; // 8 bytes before the hole (page 0x20001000 is unmapped too)
    expect(runMulti(sc.kernel, sc.tracer, sc.tracee, [e(PTRACE.PEEKCHARDATA, TRACEE_DATA + 0xff8n, TRACER_BUF + 0x700n, 64n)]).ret).toBe(8n);
    void near;
    sc.kernel.ptrace(sc.tracer, PTRACE.POKEDATA, sc.tracee, TRACEE_DATA + 0x20n, 0x00636261n); // "abc\0"
    expect(runMulti(sc.kernel, sc.tracer, sc.tracee, [e(PTRACE.PEEKSTRINGDATA, TRACEE_DATA + 0x20n, TRACER_BUF + 0x700n, 64n)]).ret).toBe(4n);
  });
  test('POKECHARDATA copies bytes tracer → tracee and returns the count', () => {
    const sc = makeScenario({}, 'syscall-enter');
    sc.kernel.writeWord(sc.tracer, TRACER_BUF + 0xa00n, 0x0807060504030201n);
    expect(runMulti(sc.kernel, sc.tracer, sc.tracee, [e(PTRACE.POKECHARDATA, TRACEE_DATA + 0x80n, TRACER_BUF + 0xa00n, 8n)]).ret).toBe(8n);
    sc.kernel.ptrace(sc.tracer, PTRACE.PEEKDATA, sc.tracee, TRACEE_DATA + 0x80n, TRACER_BUF);
    expect(sc.kernel.readWord(sc.tracer, TRACER_BUF)).toBe(0x0807060504030201n);
  });
  test('D8: PEEKDATA with length -1 reads words until the first failure and returns that error', () => {
    const sc = makeScenario({}, 'syscall-enter');
    const r = runMulti(sc.kernel, sc.tracer, sc.tracee, [e(PTRACE.PEEKDATA, TRACEE_DATA + 0xfe0n, TRACER_BUF + 0x600n, -1n)]);
    expect(r.errno).toBe('EIO');
    expect(sc.kernel.ledger.at(-1)!.ptrace!.sub).toHaveLength(5); // 4 words, then the unmapped page
  });
  test('D9: TRACEME, ATTACH and a nested MULTI as sub-requests answer EIO', () => {
    for (const r of [PTRACE.TRACEME, PTRACE.ATTACH, PTRACE.MULTI]) {
      const sc = makeScenario({}, 'syscall-enter');
      expect(runMulti(sc.kernel, sc.tracer, sc.tracee, [e(r)]).errno).toBe('EIO');
    }
  });
  test('D10: an unreadable entry is skipped in 2008 (ret 0) and re-runs the previous entry in 2006', () => {
    for (const version of ['2008', '2006'] as const) {
      const sc = makeScenario({ ptraceMulti: version }, 'syscall-enter');
      // Entry 0 at the end of the mapped array page, entry 1 beyond it (unmapped).
      const at = TRACER_ARRAY + 0x1000n - 32n;
      const w = (o: bigint, v: bigint) => sc.kernel.writeWord(sc.tracer, at + o, v);
      w(0n, BigInt(PTRACE.PEEKDATA)); w(8n, TRACEE_DATA); w(16n, TRACER_BUF + 0x600n); w(24n, 1n);
      const r = sc.kernel.ptrace(sc.tracer, PTRACE.MULTI, sc.tracee, at, 2n);
      expect(r).toMatchObject({ ret: 0n, errno: null });
      expect(sc.kernel.ledger.at(-1)!.ptrace!.sub).toHaveLength(version === '2008' ? 1 : 2);
    }
  });
  test('the attach/stopped check runs once: it is not re-run for sub-requests', () => {
    const sc = makeScenario({}, 'syscall-enter');
    const r = runMulti(sc.kernel, sc.tracer, sc.tracee, [e(PTRACE.CONT), e(PTRACE.SETOPTIONS, 0n, BigInt(PTRACE_O.TRACESYSGOOD))]);
    expect(r).toMatchObject({ ret: 0n, errno: null });
  });
  test('L3: the seed\'s batches {SETREGS, CONT} and {SETREGS, SYSEMU} are equivalent to the pair of calls', () => {
    for (const stop of ['syscall-enter', 'sysemu', 'signal-delivery'] as const) {
      const sc = makeScenario({}, stop);
      for (const op of [PTRACE.CONT, PTRACE.SYSEMU, PTRACE.SYSCALL]) {
        const v = checkBatchEquivalence(sc.kernel.state, sc.tracer, sc.tracee, [e(PTRACE.SETREGS, 0n, TRACER_BUF), e(op)]);
        expect(v.equivalent, `${stop} SETREGS+${op}: ${v.differences}`).toBe(true);
        expect(v.saved).toBe(1);
      }
    }
  });
  test('checkBatchEquivalence shrinks a failing batch to a minimal counterexample', () => {
    const sc = makeScenario({}, 'syscall-enter');
    const batch = [e(PTRACE.GETREGS, 0n, TRACER_BUF + 0x400n), e(PTRACE.CONT), e(PTRACE.GETREGS, 0n, TRACER_BUF + 0x400n), e(PTRACE.GETREGS, 0n, TRACER_BUF + 0x400n)];
    const v = checkBatchEquivalence(sc.kernel.state, sc.tracer, sc.tracee, batch);
    expect(v.equivalent).toBe(false);
    expect(v.counterexample!.map((x) => x.request)).toEqual([PTRACE.CONT, PTRACE.GETREGS]);
  });
});

describe('PTRACE_VM skip flags and the seed\'s combined feature probe', () => {
  const probe = (cfg: ConstructorParameters<typeof Kernel>[0]) => {
    const k = new Kernel(cfg);
    return testPtraceSysptvmAndPtmulti(k, k.spawnExternal('uml')).feature;
  };
  test('stock 6.18 and 2.6.26 kernels: feature 0 (addr ignored, MULTI → EIO), as the real-kernel replica saw', () => {
    expect(probe({})).toBe(0);
    expect(probe({ generation: '2.6.26' })).toBe(0);
  });
  test('2008 PTRACE_VM: 6; with PTRACE_MULTI: 0x80000006; MULTI alone: 0x80000000', () => {
    expect(probe({ ptraceVm: '2008' })).toBe(6);
    expect(probe({ ptraceVm: '2008', ptraceMulti: '2008' })).toBe(0x80000006);
    expect(probe({ ptraceMulti: '2008' })).toBe(0x80000000);
    expect(probe({ generation: '2.6.26', ptraceVm: '2008', ptraceMulti: '2008' })).toBe(0x80000006);
  });
  test('the 2006 kernel ignores the 2008 addr flags (its interface is the SYSVM request)', () => {
    expect(probe({ ptraceVm: '2006' })).toBe(0);
  });
  test('2006 PTRACE_SYSVM: VM_TEST answers the mask 3 without resuming; SKIPCALL|SKIPEXIT emulates the call', () => {
    const sc = makeScenario({ ptraceVm: '2006' }, 'syscall-enter');
    const k = sc.kernel;
    expect(k.ptrace(sc.tracer, 33, sc.tracee, 0x80000000n, 0n).ret).toBe(3n);
    expect(k.task(sc.tracee)!.run.kind).toBe('ptrace-stop');
    k.ptrace(sc.tracer, 33, sc.tracee, 3n, 0n); // skip getpid and its exit stop
    expect(k.wait4(sc.tracer, sc.tracee, __WALL).status).toBe(0x857f);
    k.ptrace(sc.tracer, PTRACE.GETREGS, sc.tracee, 0n, TRACER_BUF + 0x400n);
    expect(k.readWord(sc.tracer, TRACER_BUF + 0x400n + 120n)).toBe(110n); // the next call (getppid) entry
  });
  test('2008 skip flags: addr 2 runs the call without an exit stop; stock kernels ignore addr', () => {
    for (const [cfg, nextNr] of [[{ ptraceVm: '2008' as const }, 110n], [{}, 39n]] as const) {
      const sc = makeScenario(cfg, 'syscall-enter');
      sc.kernel.ptrace(sc.tracer, PTRACE.SYSCALL, sc.tracee, 2n, 0n);
      sc.kernel.wait4(sc.tracer, sc.tracee, __WALL);
      sc.kernel.ptrace(sc.tracer, PTRACE.GETREGS, sc.tracee, 0n, TRACER_BUF + 0x400n);
      expect(sc.kernel.readWord(sc.tracer, TRACER_BUF + 0x400n + 120n)).toBe(nextNr);
    }
  });
});

describe('the ledger counts a PTRACE_MULTI call as one host syscall', () => {
  test('by syscall and by request stay right; sub-requests are counted apart', async () => {
    const { countLedger } = await import('../../src/kernel/ledger-stats.ts');
    const sc = makeScenario({}, 'syscall-enter');
    const from = sc.kernel.ledger.length;
    runMulti(sc.kernel, sc.tracer, sc.tracee, [e(PTRACE.SETREGS, 0n, TRACER_BUF), e(PTRACE.CONT)]);
    sc.kernel.wait4(sc.tracer, sc.tracee, __WALL);
    const c = countLedger(sc.kernel.ledger.slice(from), new Set([sc.tracer]));
    expect(c).toEqual({
      hostSyscalls: 2,
      bySyscall: { ptrace: 1, wait4: 1 },
      byPtraceRequest: { PTRACE_MULTI: 1 },
      bySubRequest: { PTRACE_CONT: 1, PTRACE_SETREGS: 1 },
    });
  });
});

describe('D6 with length > 1', () => {
  test('2008 POKEDATA length 3 writes the three buffer addresses localaddr, +8, +16', () => {
    const sc = makeScenario({ ptraceMulti: '2008' }, 'syscall-enter');
    runMulti(sc.kernel, sc.tracer, sc.tracee, [e(PTRACE.POKEDATA, TRACEE_DATA + 0x100n, TRACER_BUF + 0x300n, 3n)]);
    for (let j = 0n; j < 3n; j++) {
      sc.kernel.ptrace(sc.tracer, PTRACE.PEEKDATA, sc.tracee, TRACEE_DATA + 0x100n + 8n * j, TRACER_BUF + 0x900n);
      expect(sc.kernel.readWord(sc.tracer, TRACER_BUF + 0x900n)).toBe(TRACER_BUF + 0x300n + 8n * j);
    }
  });
});
