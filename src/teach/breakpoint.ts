// The breakpoint scenario: what a debugger does with ptrace (ptrace.md §6 PEEK/POKE, §3
// single-step trap). PEEKTEXT the instruction word, POKETEXT 0xcc (int3) over its first byte,
// CONT into the SIGTRAP (rip one byte past the int3: cpu.ts do_int3_user), POKETEXT the
// original word back, move rip back with POKEUSER, SINGLESTEP over the restored instruction,
// then CONT to the exit.
import { X86_64 } from '../kernel/arch.ts';
import { Asm } from '../kernel/asm.ts';
import { INSN_BYTES } from '../kernel/isa.ts';
import { Kernel } from '../kernel/kernel.ts';
import { PROT_READ, PROT_WRITE } from '../kernel/memory.ts';
import { SIG } from '../kernel/signals.ts';
import { PTRACE } from '../ptrace/numbers.ts';

const BUF = 0x10000000n;
/** PEEKUSER/POKEUSER offset of rip in user_regs_struct (index 16 × 8; ptrace.md §8.1). */
const RIP_OFFSET = 16n * 8n;

function childProgram(pid: number) {
  return new Asm(X86_64)
    .sys('ptrace', PTRACE.TRACEME, 0, 0, 0)
    .sys('tgkill', pid, pid, SIG.SIGSTOP)
    .sys('getpid')
    .sys('getppid') // the breakpoint goes on this call's first instruction
    .exit(0)
    .build('/teach/debuggee');
}

/** Index of the first instruction of the second `sys` after the SIGSTOP (getppid's `mov rax, 110`). */
function breakpointIndex(insns: readonly { op: string }[]): number {
  let syscalls = 0;
  for (let i = 0; i < insns.length; i++) {
    if (insns[i]!.op !== 'syscall') continue;
    syscalls++;
    if (syscalls === 3) return i + 1; // after TRACEME, tgkill, getpid: getppid's set-up starts here
  }
  throw new Error('simulator bug: debuggee has no getppid');
}

export function runBreakpoint(): void {
  const k = new Kernel();
  const tracer = k.spawnExternal('debugger');
  k.mapMemory(tracer, BUF, 0x1000n, PROT_READ | PROT_WRITE);
  const program = childProgram(k.state.nextPid);
  const addr = program.base + BigInt(breakpointIndex(program.insns) * INSN_BYTES);
  const child = Number(k.forkChild(tracer, program).ret);
  k.wait4(tracer, child, 0); // SIGSTOP delivery stop
  k.ptrace(tracer, PTRACE.PEEKTEXT, child, addr, BUF);
  const original = k.readWord(tracer, BUF) ?? 0n;
  k.ptrace(tracer, PTRACE.POKETEXT, child, addr, (original & ~0xffn) | 0xccn);
  k.ptrace(tracer, PTRACE.CONT, child, 0n, 0n); // suppress the SIGSTOP, run into the int3
  k.wait4(tracer, child, 0); // SIGTRAP: rip = addr + 1
  k.ptrace(tracer, PTRACE.GETSIGINFO, child, 0n, BUF + 0x100n);
  k.ptrace(tracer, PTRACE.POKETEXT, child, addr, original); // restore the instruction
  k.ptrace(tracer, PTRACE.POKEUSER, child, RIP_OFFSET, addr); // back to the breakpoint address
  k.ptrace(tracer, PTRACE.SINGLESTEP, child, 0n, 0n); // suppress the SIGTRAP, run one instruction
  k.wait4(tracer, child, 0); // SIGTRAP, TRAP_TRACE: rip = next instruction
  k.ptrace(tracer, PTRACE.GETREGS, child, 0n, BUF);
  k.ptrace(tracer, PTRACE.CONT, child, 0n, 0n);
  k.wait4(tracer, child, 0); // exited(0)
}
