// The shape every ptrace request implementation shares.
import type { Ctx } from '../kernel/ledger.ts';
import type { SysOutcome } from '../kernel/syscalls/types.ts';
import type { Task } from '../kernel/task.ts';

/** arch_ptrace()-level handler: the child already passed ptrace_check_attach. */
export type RequestHandler = (ctx: Ctx, tracer: Task, child: Task, addr: bigint, data: bigint, request: number) => SysOutcome;

export type { SysOutcome };
