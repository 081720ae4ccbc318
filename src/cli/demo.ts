// `ptsim demo`: a tracer follows a child through its syscall stops on the simulated
// kernel and prints an annotated transcript (what `npm start` shows).
import { X86_64 } from '../kernel/arch.ts';
import { Asm } from '../kernel/asm.ts';
import { Kernel } from '../kernel/kernel.ts';
import { PROT_READ, PROT_WRITE } from '../kernel/memory.ts';
import { SIG } from '../kernel/signals.ts';
import { PTRACE_O } from '../kernel/task.ts';
import { describeStatus, hexStatus, WIFSTOPPED } from '../kernel/wait-status.ts';
import { PTRACE } from '../ptrace/numbers.ts';
import { syscallName } from '../kernel/syscall-table.ts';

const BUF = 0x10000000n;

export interface DemoLine {
  seq: number;
  call: string;
  result: string;
  note: string;
}

/** The traced child: TRACEME, stop itself, then getpid, getppid, write, exit_group(0). */
function childProgram(pid: number) {
  return new Asm(X86_64)
    .sys('ptrace', PTRACE.TRACEME, 0, 0, 0)
    .sys('tgkill', pid, pid, SIG.SIGSTOP)
    .sys('getpid')
    .sys('getppid')
    .sys('write', 1, 0x7ffffffff000n - 64n, 0)
    .exit(0)
    .build('/demo/child');
}

export function runDemo(): DemoLine[] {
  const k = new Kernel();
  const tracer = k.spawnExternal('tracer');
  k.mapMemory(tracer, BUF, 0x1000n, PROT_READ | PROT_WRITE);
  const lines: DemoLine[] = [];
  const log = (call: string, result: string, note: string) => lines.push({ seq: lines.length + 1, call, result, note });
  const fork = k.forkChild(tracer, childProgram(k.state.nextPid));
  const child = Number(fork.ret);
  log('fork()', `${child}`, 'the child will call PTRACE_TRACEME and stop itself with SIGSTOP');
  let w = k.wait4(tracer, child, 0);
  log(`wait4(${child}, 0)`, `${w.ret} ${hexStatus(w.status!)}`, `${describeStatus(w.status!)}: the signal-delivery-stop of its own SIGSTOP`);
  let r = k.ptrace(tracer, PTRACE.SETOPTIONS, child, 0n, BigInt(PTRACE_O.TRACESYSGOOD));
  log('ptrace(SETOPTIONS, TRACESYSGOOD)', `${r.ret}`, 'syscall stops will report SIGTRAP|0x80 (status 0x857f)');
  let entering = true;
  for (let guard = 0; guard < 20; guard++) {
    r = k.ptrace(tracer, PTRACE.SYSCALL, child, 0n, 0n);
    log('ptrace(SYSCALL, 0)', `${r.ret}`, 'resume until the next syscall entry or exit');
    w = k.wait4(tracer, child, 0);
    if (w.status === null || w.status === undefined || !WIFSTOPPED(w.status)) {
      log(`wait4(${child}, 0)`, `${w.ret} ${hexStatus(w.status ?? 0)}`, `${describeStatus(w.status ?? 0)}: the child is gone and reaped`);
      break;
    }
    k.ptrace(tracer, PTRACE.GETREGS, child, 0n, BUF);
    const nr = Number(k.readWord(tracer, BUF + 120n));
    const rax = BigInt.asIntN(64, k.readWord(tracer, BUF + 80n)!);
    const name = syscallName('x86_64', nr);
    const where = entering ? `syscall-enter-stop of ${name}: orig_rax=${nr}, rax=${rax} (-ENOSYS)` : `syscall-exit-stop of ${name}: rax=${rax}`;
    log(`wait4(${child}, 0)`, `${w.ret} ${hexStatus(w.status)}`, where);
    entering = !entering;
  }
  log('ledger', `${k.ledger.length} host syscalls`, `${k.ledger.countPid(tracer)} by the tracer, ${k.ledger.countPid(child)} by the child`);
  return lines;
}

export function formatDemo(lines: DemoLine[]): string {
  const w1 = Math.max(...lines.map((l) => l.call.length));
  const w2 = Math.max(...lines.map((l) => l.result.length));
  return lines.map((l) => `${String(l.seq).padStart(3)}  ${l.call.padEnd(w1)}  = ${l.result.padEnd(w2)}  # ${l.note}`).join('\n');
}
