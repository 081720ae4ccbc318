// PTRACE_PEEKTEXT/PEEKDATA and POKETEXT/POKEDATA (kernel/ptrace.c generic_ptrace_peekdata,
// generic_ptrace_pokedata). One machine word through access_process_vm(FOLL_FORCE):
// an unmapped (or partly unmapped) tracee word → EIO; PEEK then put_user()s the word to the
// tracer's `data` pointer → EFAULT if that is bad. POKE's `data` is the word itself.
import type { Ctx } from '../kernel/ledger.ts';
import { readWord } from '../kernel/regs.ts';
import { fail, ok, type SysOutcome } from '../kernel/syscalls/types.ts';
import type { Task } from '../kernel/task.ts';
import { putUserWord, remoteRead, remoteWrite, wordBytes } from '../kernel/uaccess.ts';

export function peekWord(ctx: Ctx, child: Task, addr: bigint): bigint | 'EIO' {
  const b = remoteRead(ctx, child, addr, ctx.arch.wordBytes);
  if (typeof b === 'string') return 'EIO';
  return readWord(new DataView(b.buffer), 0, ctx.arch);
}

export function peekData(ctx: Ctx, tracer: Task, child: Task, addr: bigint, data: bigint): SysOutcome {
  const w = peekWord(ctx, child, addr);
  if (w === 'EIO') return fail('EIO');
  if (putUserWord(ctx, tracer, data, w) === 'EFAULT') return fail('EFAULT');
  return ok(0);
}

export function pokeData(ctx: Ctx, _tracer: Task, child: Task, addr: bigint, data: bigint): SysOutcome {
  const r = remoteWrite(ctx, child, addr, wordBytes(ctx.arch, data));
  return r === null ? ok(0) : fail('EIO');
}
