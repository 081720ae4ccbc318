// PTRACE_GET_SYSCALL_INFO (kernel/ptrace.c ptrace_get_syscall_info, since 5.3; ptrace.md §9).
// addr = size of the tracer's buffer, data = pointer. The op is ENTRY/EXIT only when the
// stop's si_code is SIGTRAP|0x80 (so TRACESYSGOOD is required) and ptrace_message says which;
// returns the size the kernel had (24 none, 80 entry, 33 exit), copying min(that, addr).
import type { Ctx } from '../kernel/ledger.ts';
import { EVENTMSG_SYSCALL_ENTRY, EVENTMSG_SYSCALL_EXIT } from '../kernel/syscall-entry.ts';
import { SIG } from '../kernel/signals.ts';
import { fail, ok, type SysOutcome } from '../kernel/syscalls/types.ts';
import type { Task } from '../kernel/task.ts';
import { copyToUser } from '../kernel/uaccess.ts';

export const AUDIT_ARCH_X86_64 = 0xc000003e;
export const AUDIT_ARCH_I386 = 0x40000003;

export function syscallInfoBytes(ctx: Ctx, child: Task): Uint8Array {
  const { arch } = ctx;
  const b = new Uint8Array(80);
  const v = new DataView(b.buffer);
  v.setUint32(4, arch.name === 'x86_64' ? AUDIT_ARCH_X86_64 : AUDIT_ARCH_I386, true);
  v.setBigUint64(8, child.regs[arch.ip]!, true);
  v.setBigUint64(16, child.regs[arch.sp]!, true);
  const si = child.run.kind === 'ptrace-stop' ? child.run.stop.siginfo : null;
  if (si?.code !== (SIG.SIGTRAP | 0x80)) return b.slice(0, 24);
  if (child.eventMsg === EVENTMSG_SYSCALL_ENTRY) {
    b[0] = 1;
    v.setBigUint64(24, child.regs[arch.origAx]!, true);
    arch.argRegs.forEach((r, i) => v.setBigUint64(32 + 8 * i, child.regs[r]!, true));
    return b;
  }
  if (child.eventMsg === EVENTMSG_SYSCALL_EXIT) {
    b[0] = 2;
    const ax = BigInt.asIntN(arch.wordBytes * 8, child.regs[arch.ax]!);
    const isError = ax < 0n && ax >= -4095n;
    v.setBigInt64(24, ax, true);
    b[32] = isError ? 1 : 0;
    return b.slice(0, 33);
  }
  return b.slice(0, 24);
}

export function getSyscallInfo(ctx: Ctx, tracer: Task, child: Task, addr: bigint, data: bigint): SysOutcome {
  const info = syscallInfoBytes(ctx, child);
  const n = Number(addr < BigInt(info.length) ? addr : BigInt(info.length));
  if (n > 0 && copyToUser(ctx, tracer, data, info.subarray(0, n))) return fail('EFAULT');
  return ok(info.length);
}
