// What a syscall implementation answers. Errors are values; `block` puts the task to
// sleep (it completes later); `done` means the implementation already set rax and the
// task's phase (a ptrace event stop, exit, exec, rt_sigreturn).
import type { Errno } from '../errno.ts';
import type { Ctx } from '../ledger.ts';
import type { BlockReason, Task } from '../task.ts';

export type SysOutcome =
  | { readonly ret: bigint }
  | { readonly errno: Errno }
  | { readonly block: BlockReason }
  | { readonly done: true };

export type SyscallImpl = (ctx: Ctx, t: Task, args: readonly bigint[]) => SysOutcome;

/** The most common outcome, one frozen object (outcomes are values: nobody changes one). */
const OK0: SysOutcome = Object.freeze({ ret: 0n });

export const ok = (v: bigint | number): SysOutcome => (v === 0 || v === 0n ? OK0 : { ret: BigInt(v) });
export const fail = (errno: Errno): SysOutcome => ({ errno });
export const DONE: SysOutcome = { done: true };
