// Copy a kernel task out into a plain TaskView. The kernel's state may be mutated in place
// after this host syscall (the fast core), so nothing here keeps a reference into it.
import type { Arch } from '../kernel/arch.ts';
import { SI, SIG, signalName, type Siginfo } from '../kernel/signals.ts';
import { PTRACE_EVENT, type StopKind, type Task } from '../kernel/task.ts';
import { describeStatus } from '../kernel/wait-status.ts';
import type { SiginfoView, TaskStateLabel, TaskView } from './types.ts';

const STOP_LABEL: Record<StopKind, TaskStateLabel> = {
  'signal-delivery': 'signal-delivery-stop',
  'group-stop': 'group-stop',
  'syscall-enter': 'syscall-enter-stop',
  'syscall-exit': 'syscall-exit-stop',
  sysemu: 'sysemu-stop',
  event: 'event-stop',
  listen: 'listen',
};

export function hex64(v: bigint, bits = 64): string {
  return `0x${BigInt.asUintN(bits, v).toString(16)}`;
}

const GENERIC_CODES: Record<number, string> = { [SI.SI_USER]: 'SI_USER (kill)', [SI.SI_KERNEL]: 'SI_KERNEL', [SI.SI_TKILL]: 'SI_TKILL (tgkill)' };
const CODES_BY_SIGNAL: Record<number, Record<number, string>> = {
  [SIG.SIGTRAP]: { [SI.TRAP_BRKPT]: 'TRAP_BRKPT', [SI.TRAP_TRACE]: 'TRAP_TRACE (single-step)', 0x85: 'SIGTRAP|0x80: syscall stop (TRACESYSGOOD)' },
  [SIG.SIGSEGV]: { [SI.SEGV_MAPERR]: 'SEGV_MAPERR (not mapped)', [SI.SEGV_ACCERR]: 'SEGV_ACCERR (protection)' },
  [SIG.SIGCHLD]: { [SI.CLD_EXITED]: 'CLD_EXITED', [SI.CLD_KILLED]: 'CLD_KILLED', [SI.CLD_DUMPED]: 'CLD_DUMPED', [SI.CLD_TRAPPED]: 'CLD_TRAPPED', [SI.CLD_STOPPED]: 'CLD_STOPPED', [SI.CLD_CONTINUED]: 'CLD_CONTINUED' },
};

/** si_code by name (include/uapi/asm-generic/siginfo.h; ptrace.md §3: SIGTRAP | event<<8 at event stops). */
export function siCodeName(signo: number, code: number): string {
  const bySig = CODES_BY_SIGNAL[signo]?.[code];
  if (bySig) return bySig;
  if (signo === SIG.SIGTRAP && code > 0xff && (code & 0xff) === SIG.SIGTRAP) {
    const ev = code >> 8;
    const name = Object.entries(PTRACE_EVENT).find(([, v]) => v === ev)?.[0];
    return `SIGTRAP | PTRACE_EVENT_${name ?? ev}<<8`;
  }
  return GENERIC_CODES[code] ?? '';
}

export function siginfoView(si: Siginfo): SiginfoView {
  return { signo: signalName(si.signo), code: `0x${(si.code >>> 0).toString(16)}${si.code < 0 ? ` (${si.code})` : ''}`, codeName: siCodeName(si.signo, si.code), errno: si.errno, pid: si.pid, addr: hex64(si.addr), status: si.status };
}

/** Signal names of a sigset mask (bit sig-1 = signal sig). */
export function maskNames(mask: bigint): string[] {
  const out: string[] = [];
  for (let sig = 1; sig <= 64; sig++) if ((mask >> BigInt(sig - 1)) & 1n) out.push(signalName(sig));
  return out;
}

function stateOf(t: Task): { state: TaskStateLabel; detail: string } {
  if (t.external) return { state: 'tracer', detail: 'external task: runs the tracer\'s code, not the simulated CPU' };
  const r = t.run;
  // PTRACE_LISTEN: still group-stopped, but out of the ptrace-stop (ptrace.md §3).
  if (t.listening && r.kind !== 'zombie') return { state: 'listen', detail: 'listening (PTRACE_LISTEN): group-stopped, not in a ptrace-stop' };
  switch (r.kind) {
    case 'running':
      return { state: 'running', detail: 'running (runnable)' };
    case 'blocked':
      return { state: 'blocked', detail: `blocked in ${r.on.kind}` };
    case 'ptrace-stop': {
      const label = STOP_LABEL[r.stop.kind];
      const sig = r.stop.statusSig === 0x85 ? 'SIGTRAP|0x80' : signalName(r.stop.statusSig);
      const evName = Object.entries(PTRACE_EVENT).find(([, v]) => v === r.stop.event)?.[0];
      const ev = r.stop.event ? `, PTRACE_EVENT_${evName ?? r.stop.event}` : '';
      return { state: label, detail: `${label} (${sig}${ev})${r.stop.reported ? '' : ', not yet reported'}` };
    }
    case 'job-stop':
      return { state: 'job-stop', detail: `job-control stop (${signalName(r.sig)})` };
    case 'zombie':
      return { state: 'zombie', detail: `zombie: ${describeStatus(r.status)}, not yet reaped` };
  }
}

export function taskView(t: Task, arch: Arch): TaskView {
  const regs: Record<string, string> = {};
  if (!t.external) arch.regNames.forEach((name, i) => (regs[name] = hex64(t.regs[i] ?? 0n, arch.wordBytes * 8)));
  const { state, detail } = stateOf(t);
  const siginfo = t.run.kind === 'ptrace-stop' && t.run.stop.siginfo ? siginfoView(t.run.stop.siginfo) : null;
  return {
    pid: t.tid,
    name: t.name,
    state,
    detail,
    tracer: t.tracer,
    regs,
    pending: t.pending.map((si) => signalName(si.signo)),
    blocked: maskNames(t.blocked),
    siginfo,
  };
}

/** A task that has disappeared from the kernel: reaped by wait4 (kernel/exit.c release_task). */
export function reapedView(last: TaskView): TaskView {
  return { ...last, state: 'reaped', detail: 'reaped: gone from the task list', siginfo: null, pending: [] };
}

/** Registers whose value differs from the previous step's view of the same task. */
export function changedRegs(prev: TaskView | undefined, cur: TaskView): string[] {
  if (!prev) return [];
  return Object.keys(cur.regs).filter((k) => prev.regs[k] !== cur.regs[k]);
}
