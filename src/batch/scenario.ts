// Tracee scenarios for batch checking: a kernel with PTRACE_MULTI, a tracer with buffers,
// and a traced child brought to a named stop kind. The child's program keeps running
// after the stop (more syscalls, memory writes, a signal, exit), so "the same future
// behaviour" is observable.
import { X86_64 } from '../kernel/arch.ts';
import { Asm } from '../kernel/asm.ts';
import type { KernelConfig } from '../kernel/config.ts';
import { Kernel } from '../kernel/kernel.ts';
import { PROT_READ, PROT_WRITE } from '../kernel/memory.ts';
import { SIG } from '../kernel/signals.ts';
import { PTRACE_O } from '../kernel/task.ts';
import { PTRACE } from '../ptrace/numbers.ts';

export const STOP_KINDS = ['signal-delivery', 'group-stop', 'syscall-enter', 'syscall-exit', 'sysemu', 'event', 'running'] as const;
export type ScenarioStop = (typeof STOP_KINDS)[number];

/** Tracer memory: buffers for localaddr, and where batches are written. */
export const TRACER_BUF = 0x10000000n;
export const TRACER_BUF_BYTES = 0x2000n;
export const TRACER_ARRAY = 0x10100000n;
/** Tracee memory: a data page with a known pattern; the page after it is unmapped. */
export const TRACEE_DATA = 0x20000000n;
export const TRACEE_UNMAPPED = 0x20002000n;

export interface Scenario {
  kernel: Kernel;
  tracer: number;
  tracee: number;
  stop: ScenarioStop;
}

/** The child: stop itself, touch memory, a few syscalls, fork, raise SIGUSR1, exit. */
export function scenarioProgram(pid: number) {
  return new Asm(X86_64)
    .sys('ptrace', PTRACE.TRACEME, 0, 0, 0)
    .sys('tgkill', pid, pid, SIG.SIGSTOP)
    .sys('getpid')
    .store(TRACEE_DATA + 8n, 0x1111n)
    .sys('getppid')
    .sys('fork')
    .store(TRACEE_DATA + 16n, 0x2222n)
    .sys('tgkill', pid, pid, SIG.SIGUSR1)
    .sys('getpid')
    .exit(7)
    .build('/batch/tracee');
}

export function makeScenario(config: Partial<KernelConfig>, stop: ScenarioStop): Scenario {
  const kernel = new Kernel({ ptraceMulti: '2008', ...config });
  const tracer = kernel.spawnExternal('tracer');
  kernel.mapMemory(tracer, TRACER_BUF, TRACER_BUF_BYTES, PROT_READ | PROT_WRITE);
  kernel.mapMemory(tracer, TRACER_ARRAY, 0x1000n, PROT_READ | PROT_WRITE);
  kernel.mapMemory(tracer, TRACEE_DATA, 0x1000n, PROT_READ | PROT_WRITE);
  kernel.writeMemory(tracer, TRACEE_DATA, new Uint8Array(4096).map((_, j) => (j * 13 + 5) & 0xff));
  const tracee = Number(kernel.forkChild(tracer, scenarioProgram(kernel.state.nextPid)).ret);
  kernel.wait4(tracer, tracee, 0); // the SIGSTOP signal-delivery-stop
  // Buffers a batch can use: a valid register image (SETREGS), a POKE value, siginfo space.
  kernel.ptrace(tracer, PTRACE.GETREGS, tracee, 0n, TRACER_BUF);
  kernel.writeWord(tracer, TRACER_BUF + 0x300n, 0x5a5a5a5an);
  kernel.ptrace(tracer, PTRACE.SETOPTIONS, tracee, 0n, BigInt(PTRACE_O.TRACESYSGOOD | PTRACE_O.TRACEFORK));
  bringTo(kernel, tracer, tracee, stop);
  return { kernel, tracer, tracee, stop };
}

function step(k: Kernel, tracer: number, tracee: number, request: number, sig = 0): number {
  k.ptrace(tracer, request, tracee, 0n, BigInt(sig));
  return k.wait4(tracer, tracee, 0x40000000).status ?? -1;
}

function bringTo(k: Kernel, tracer: number, tracee: number, stop: ScenarioStop): void {
  switch (stop) {
    case 'signal-delivery':
      return; // still at the SIGSTOP delivery-stop
    case 'group-stop':
      step(k, tracer, tracee, PTRACE.CONT, SIG.SIGSTOP); // re-inject: group-stop (0x137f, GETSIGINFO EINVAL)
      return;
    case 'syscall-enter':
      step(k, tracer, tracee, PTRACE.SYSCALL); // getpid entry
      return;
    case 'syscall-exit':
      step(k, tracer, tracee, PTRACE.SYSCALL);
      step(k, tracer, tracee, PTRACE.SYSCALL); // getpid exit
      return;
    case 'sysemu':
      step(k, tracer, tracee, PTRACE.SYSEMU); // getpid, emulated
      return;
    case 'event':
      for (let i = 0; i < 5; i++) step(k, tracer, tracee, PTRACE.SYSCALL); // … up to fork's entry
      step(k, tracer, tracee, PTRACE.CONT); // the PTRACE_EVENT_FORK stop
      return;
    case 'running':
      k.ptrace(tracer, PTRACE.CONT, tracee, 0n, 0n); // running (not yet scheduled)
      return;
  }
}
