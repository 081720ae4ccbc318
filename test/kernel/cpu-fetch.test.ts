// cpu.ts's instruction-fetch window caches the text page and program image of the last
// fetch. It must never serve a stale page: a breakpoint planted in the page the task is
// running from, a protection change of that page and a copy-on-write of it after fork must all
// be seen by the very next fetch, as they are without the window.
import { describe, expect, it } from 'vitest';
import { Asm } from '../../src/kernel/asm.ts';
import { Kernel } from '../../src/kernel/kernel.ts';
import { PROT_READ } from '../../src/kernel/memory.ts';
import { textBase } from '../../src/kernel/state.ts';
import { PTRACE } from '../../src/ptrace/numbers.ts';

const INT3_WORD = 0xccn;
const SIGTRAP_STOP = (5 << 8) | 0x7f;
const SIGCHLD_STOP = (17 << 8) | 0x7f;

/** A traced child: TRACEME + SIGSTOP, then `body`, then a loop of `spins` iterations, then exit 0. */
function child(k: Kernel, body: (a: Asm) => void, spins: number) {
  const a = new Asm(k.arch);
  a.sys('ptrace', PTRACE.TRACEME, 0, 0, 0).sys('kill', k.state.nextPid, 19);
  body(a);
  const loopAt = a.here;
  a.spin(spins);
  a.exit(0);
  return { program: a.build('/fetch-child'), loopAt };
}

describe('instruction-fetch window', () => {
  it('a POKETEXT int3 into the page being run traps at the next fetch of that address', () => {
    const k = new Kernel();
    const tracer = k.spawnExternal('tracer');
    const { program, loopAt } = child(k, () => {}, 1000);
    const pid = Number(k.forkChild(tracer, program).ret);
    expect(k.wait4(tracer, pid, 0).status).toBe(0x137f);
    // Run part of the loop so the window holds the text page, then stop it there.
    k.ptrace(tracer, PTRACE.SINGLESTEP, pid, 0n, 0n);
    expect(k.wait4(tracer, pid, 0).status).toBe(SIGTRAP_STOP);
    for (let i = 0; i < 20; i++) {
      k.ptrace(tracer, PTRACE.SINGLESTEP, pid, 0n, 0n);
      k.wait4(tracer, pid, 0);
    }
    // The loop's `add` (the first instruction after its mov): plant int3 there.
    const add = textBase(k.arch) + BigInt((loopAt + 1) * 4);
    expect(k.ptrace(tracer, PTRACE.POKETEXT, pid, add, INT3_WORD).ret).toBe(0n);
    k.ptrace(tracer, PTRACE.CONT, pid, 0n, 0n);
    expect(k.wait4(tracer, pid, 0).status).toBe(SIGTRAP_STOP);
    const regs = k.task(pid)!.regs;
    expect(regs[k.arch.ip]).toBe(add + 1n);
  });

  it('mprotect of the running text page to PROT_READ faults the next fetch (SIGSEGV)', () => {
    const k = new Kernel();
    const tracer = k.spawnExternal('tracer');
    const base = textBase(k.arch);
    const { program } = child(k, (a) => a.spin(50).sys('mprotect', base, 0x1000, PROT_READ), 10);
    const pid = Number(k.forkChild(tracer, program).ret);
    expect(k.wait4(tracer, pid, 0).status).toBe(0x137f);
    k.ptrace(tracer, PTRACE.CONT, pid, 0n, 0n);
    // The instruction after mprotect's syscall is the first fetch from a non-executable page.
    expect(k.wait4(tracer, pid, 0).status).toBe((11 << 8) | 0x7f);
  });

  it('a POKETEXT int3 that copies the running page on write (shared after fork) traps at the next fetch', () => {
    const k = new Kernel();
    const tracer = k.spawnExternal('tracer');
    const ax = k.arch.regNames[k.arch.ax]!;
    // fork(); the child (rax 0) exits at once; the parent spins. Its text is then shared copy-on-write.
    const { program, loopAt } = child(k, (a) => {
      a.sys('fork');
      const jnzAt = a.here;
      a.emit({ op: 'jnz', reg: ax, target: -1 });
      a.exit(0);
      a.insns[jnzAt] = { op: 'jnz', reg: ax, target: a.here };
    }, 1000);
    const pid = Number(k.forkChild(tracer, program).ret);
    expect(k.wait4(tracer, pid, 0).status).toBe(0x137f);
    // Step into the loop; the fork child's exit brings a SIGCHLD stop on the way (suppressed).
    for (let i = 0; i < 40; i++) {
      k.ptrace(tracer, PTRACE.SINGLESTEP, pid, 0n, 0n);
      expect([SIGTRAP_STOP, SIGCHLD_STOP]).toContain(k.wait4(tracer, pid, 0).status);
    }
    const add = textBase(k.arch) + BigInt((loopAt + 1) * 4);
    expect(k.ptrace(tracer, PTRACE.POKETEXT, pid, add, INT3_WORD).ret).toBe(0n);
    k.ptrace(tracer, PTRACE.CONT, pid, 0n, 0n);
    expect(k.wait4(tracer, pid, 0).status).toBe(SIGTRAP_STOP);
    expect(k.task(pid)!.regs[k.arch.ip]).toBe(add + 1n);
  });
});
