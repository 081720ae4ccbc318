// Where a PTRACE_MULTI batch is legal in a recorded log. Each rule has a name (used in tests
// and docs) and is conservative: when the log cannot show that merging is safe, it is not.
// Sources: ptrace-multi.md §2 (one check_attach per batch), §7 laws L3, L5 and divergences
// D1–D9.
import { PTRACE } from '../ptrace/numbers.ts';
import type { LoggedCall } from './ledger-from-strace.ts';

export const RULES = {
  'R1-same-caller': 'a batch is issued by one thread: runs are tracked per calling pid',
  'R2-same-tracee': 'a batch has one target (PTRACE_MULTI takes one pid): a request on another tracee ends the run',
  'R3-no-syscall-between': 'any other syscall of the caller (wait4 included) ends the run; in a log filtered with -e trace=, hidden syscalls cannot be seen, so savings are an upper bound',
  'R4-resume-ends-batch': 'a resume request (CONT, SYSCALL, SYSEMU, SYSEMU_SINGLESTEP, SINGLESTEP, SINGLEBLOCK, DETACH) is the last entry of a run (L3; D1, D4)',
  'R5-write-after-read': 'a write or resume after a read in the same run starts a new run: the tracer may compute it from what it read, and a log cannot show that it did not',
  'R6-failure-ends-batch': 'a request that failed ends the run: in a batch the entries after it would not run (L5)',
  'R7-standalone-only': 'TRACEME, ATTACH, SEIZE, MULTI (D9: EIO inside a batch), KILL (D3), INTERRUPT and LISTEN (they act on running tracees) never join a batch',
  'R8-signal-or-exit-ends': 'a signal delivered to the caller (its handler may run anything) or the caller\'s exit ends the run',
} as const;

export type RuleId = keyof typeof RULES;

export const RESUMES: ReadonlySet<number> = new Set([PTRACE.CONT, PTRACE.SYSCALL, PTRACE.SYSEMU, PTRACE.SYSEMU_SINGLESTEP, PTRACE.SINGLESTEP, PTRACE.SINGLEBLOCK, PTRACE.DETACH]);
export const STANDALONE: ReadonlySet<number> = new Set([PTRACE.TRACEME, PTRACE.ATTACH, PTRACE.SEIZE, PTRACE.MULTI, PTRACE.KILL, PTRACE.INTERRUPT, PTRACE.LISTEN]);
const READS: ReadonlySet<number> = new Set([
  PTRACE.PEEKTEXT, PTRACE.PEEKDATA, PTRACE.PEEKUSER, PTRACE.GETREGS, PTRACE.GETFPREGS, PTRACE.GETFPXREGS,
  PTRACE.GETREGSET, PTRACE.GETSIGINFO, PTRACE.PEEKSIGINFO, PTRACE.GETEVENTMSG, PTRACE.GETSIGMASK,
  PTRACE.GET_THREAD_AREA, PTRACE.GET_SYSCALL_INFO, PTRACE.SECCOMP_GET_FILTER, PTRACE.SECCOMP_GET_METADATA,
  PTRACE.GET_RSEQ_CONFIGURATION, PTRACE.GET_SYSCALL_USER_DISPATCH_CONFIG, PTRACE.PEEKCHARDATA, PTRACE.PEEKSTRINGDATA,
]);
/** arch_prctl codes that read (arch/x86/include/uapi/asm/prctl.h ARCH_GET_GS/ARCH_GET_FS). */
const ARCH_GET = new Set([0x1003n, 0x1004n]);

export type Access = 'read' | 'write' | 'resume' | 'standalone';

/** What a ptrace request does to the tracee, for the rules above. */
export function access(call: LoggedCall): Access {
  const p = call.entry.ptrace!;
  if (STANDALONE.has(p.request)) return 'standalone';
  if (RESUMES.has(p.request)) return 'resume';
  if (READS.has(p.request)) return 'read';
  if (p.request === PTRACE.ARCH_PRCTL && ARCH_GET.has(call.entry.args[3] ?? 0n)) return 'read';
  return 'write';
}

/** A maximal legal run: consecutive ptrace calls of one caller on one tracee that one PTRACE_MULTI could carry. */
export interface Run {
  readonly calls: LoggedCall[];
  /** Why the run ended. */
  endedBy: RuleId | 'end-of-log';
}

interface Open {
  target: number;
  calls: LoggedCall[];
  sawRead: boolean;
}

/**
 * Splits a caller's stream into legal runs. Feed every event of the log in order; closed runs
 * come back from each call. State: one open run per caller (bounded by the number of threads).
 */
export class RunSplitter {
  private readonly open = new Map<number, Open>();

  /** A call by `call.entry.pid`. Returns the runs it closed (0, 1 or 2). */
  call(call: LoggedCall): Run[] {
    const pid = call.entry.pid;
    const p = call.entry.ptrace;
    const out: Run[] = [];
    if (!p) {
      this.close(pid, 'R3-no-syscall-between', out);
      return out;
    }
    const kind = access(call);
    if (kind === 'standalone') {
      this.close(pid, 'R7-standalone-only', out);
      out.push({ calls: [call], endedBy: 'R7-standalone-only' });
      return out;
    }
    const cur = this.open.get(pid);
    if (cur && cur.target !== p.target) this.close(pid, 'R2-same-tracee', out);
    else if (cur && cur.sawRead && kind !== 'read') this.close(pid, 'R5-write-after-read', out);
    const run = this.open.get(pid) ?? { target: p.target, calls: [], sawRead: false };
    this.open.set(pid, run);
    run.calls.push(call);
    if (kind === 'read') run.sawRead = true;
    if (call.entry.errno !== null) this.close(pid, 'R6-failure-ends-batch', out);
    else if (kind === 'resume') this.close(pid, 'R4-resume-ends-batch', out);
    return out;
  }

  /** A signal delivered to `pid`, or its exit. */
  interrupt(pid: number): Run[] {
    const out: Run[] = [];
    this.close(pid, 'R8-signal-or-exit-ends', out);
    return out;
  }

  /** End of log: every open run, in caller order of first appearance. */
  finish(): Run[] {
    const out: Run[] = [];
    for (const pid of [...this.open.keys()]) this.close(pid, 'end-of-log', out);
    return out;
  }

  private close(pid: number, why: Run['endedBy'], out: Run[]): void {
    const r = this.open.get(pid);
    if (!r) return;
    this.open.delete(pid);
    out.push({ calls: r.calls, endedBy: why });
  }
}
