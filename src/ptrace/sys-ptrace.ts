// sys_ptrace() (kernel/ptrace.c): the order of checks is the behaviour (ptrace.md §6):
//   1. TRACEME; 2. pid lookup → ESRCH; 3. ATTACH/SEIZE; 4. ptrace_check_attach → ESRCH
//   (KILL and INTERRUPT exempt from "stopped", never from "traced by me");
//   5. only then the request number: unknown → EIO.
// PTRACE_MULTI (0x4300) hooks in at step 5 when the kernel configuration has it.
import type { Ctx } from '../kernel/ledger.ts';
import { fail, type SysOutcome } from '../kernel/syscalls/types.ts';
import type { Task } from '../kernel/task.ts';
import { attach } from './attach.ts';
import { checkAttach } from './check-attach.ts';
import { PTRACE } from './numbers.ts';
import { lookupRequest } from './request-table.ts';
import { traceme } from './traceme.ts';
import { multiHook } from './multi-hook.ts';
import { sysvm } from './resume.ts';
import { LastKeyWeakMap } from '../kernel/last-key-map.ts';
import { RequestKeyed } from '../kernel/request-keyed.ts';

const U64_MAX = (1n << 64n) - 1n;

export function sysPtrace(ctx: Ctx, caller: Task, request: number, pid: number, addr: bigint, data: bigint): SysOutcome {
  // addr and data are `unsigned long` in sys_ptrace(): -1 is 0xffff…ff (e.g. a debug
  // register address of -1 is a kernel address → EINVAL; differential conformance run).
  if (addr < 0n || addr > U64_MAX) addr = BigInt.asUintN(64, addr);
  if (data < 0n || data > U64_MAX) data = BigInt.asUintN(64, data);
  if (request === PTRACE.TRACEME) return traceme(ctx, caller);
  const child = pid > 0 ? ctx.s.tasks[pid] : undefined;
  if (!child) return fail('ESRCH');
  // A kernel without PTRACE_SEIZE (2.6.26) treats 0x4206 as any unknown request: it goes
  // through ptrace_check_attach first (ESRCH unless traced by us and stopped), then EIO
  // (kernel/ptrace.c @2.6.26 sys_ptrace: only PTRACE_ATTACH is handled before the check).
  if (request === PTRACE.ATTACH || (request === PTRACE.SEIZE && requestExists(ctx, request))) {
    return attach(ctx, caller, child, addr, data, request === PTRACE.SEIZE);
  }
  const exempt = request === PTRACE.KILL || (request === PTRACE.INTERRUPT && requestExists(ctx, request));
  const denied = checkAttach(ctx, caller, child, exempt);
  if (denied) return fail(denied);
  const multi = multiHook(ctx, caller, child, request, addr, data);
  if (multi) return multi;
  return archPtrace(ctx, caller, child, request, addr, data);
}

/** arch_ptrace() → ptrace_request(): dispatch by request number after the attach check. */
export function archPtrace(ctx: Ctx, caller: Task, child: Task, request: number, addr: bigint, data: bigint): SysOutcome {
  // Davoli's 2006 kernel: request 33 is PTRACE_SYSVM (2.6.25+ stock: PTRACE_SINGLEBLOCK).
  if (request === PTRACE.SINGLEBLOCK && ctx.s.config.ptraceVm === '2006') return sysvm(ctx, caller, child, addr, data);
  const entry = lookupRequest(request);
  if (!entry || entry.early || !entry.handler || !requestExists(ctx, request)) return fail('EIO');
  return entry.handler(ctx, caller, child, addr, data, request);
}

export function requestExists(ctx: Ctx, request: number): boolean {
  let known = EXISTS.get(ctx.s.config);
  if (known === undefined) EXISTS.set(ctx.s.config, (known = new RequestKeyed<boolean>()));
  let yes = known.get(request);
  if (yes === undefined) known.set(request, (yes = requestExistsIn(ctx, request)));
  return yes;
}

/** requestExists per kernel configuration (it depends on nothing else: the generation, the arch, SYSEMU). */
const EXISTS = new LastKeyWeakMap<Ctx['s']['config'], RequestKeyed<boolean>>();

function requestExistsIn(ctx: Ctx, request: number): boolean {
  const entry = lookupRequest(request);
  if (!entry) return false;
  if (!entry.generations.includes(ctx.s.config.generation) || !entry.arches.includes(ctx.arch.name)) return false;
  if ((request === PTRACE.SYSEMU || request === PTRACE.SYSEMU_SINGLESTEP) && !ctx.s.config.sysemu) return false;
  return true;
}
