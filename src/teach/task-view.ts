// Copy a kernel task out into a plain TaskView. The kernel's state may be mutated in place
// after this host syscall (the fast core), so nothing here keeps a reference into it.
import type { Arch } from '../kernel/arch.ts';
import { signalName, type Siginfo } from '../kernel/signals.ts';
import type { StopKind, Task } from '../kernel/task.ts';
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

export function siginfoView(si: Siginfo): SiginfoView {
  return { signo: signalName(si.signo), code: `0x${(si.code >>> 0).toString(16)}${si.code < 0 ? ` (${si.code})` : ''}`, errno: si.errno, pid: si.pid, addr: hex64(si.addr), status: si.status };
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
      const ev = r.stop.event ? `, event ${r.stop.event === 0x80 ? 'PTRACE_EVENT_STOP' : r.stop.event}` : '';
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
