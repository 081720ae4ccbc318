// Re-joins `<unfinished ...>` / `<... NAME resumed>` halves into one call. strace splits a
// call when another traced thread prints in between (strace(1), -f); the halves belong to
// the same thread, so pairing is keyed by pid. A thread has at most one call in flight.
import { parseCallBody, SyntaxFault, type StraceLine } from './line.ts';

type CallLine = Extract<StraceLine, { kind: 'call' }>;
type Unfinished = Extract<StraceLine, { kind: 'unfinished' }>;

export interface Pending {
  readonly head: Unfinished;
  /** Line number of the unfinished half (the call's start). */
  readonly line: number;
}

export interface Joined {
  readonly call: CallLine;
  /** Line where the call started (the unfinished half, or the line itself). */
  readonly startLine: number;
}

/** Bounded by the number of live threads: one pending call per pid. */
export class Pairer {
  private readonly pending = new Map<number | null, Pending>();

  /** Feed an unfinished half. Postcondition: it is pending until its resumed half or the thread's exit. */
  start(u: Unfinished, line: number): void {
    const prev = this.pending.get(u.pid);
    if (prev) throw new SyntaxFault(`${u.name}: unfinished while ${prev.head.name} (line ${prev.line}) is still unfinished for the same pid`);
    this.pending.set(u.pid, { head: u, line });
  }

  /** Feed a resumed half; returns the joined call. The timestamp is the start's. */
  resume(r: Extract<StraceLine, { kind: 'resumed' }>): Joined {
    const p = this.pending.get(r.pid);
    if (!p) throw new SyntaxFault(`<... ${r.name} resumed> without a preceding unfinished ${r.name}`);
    if (p.head.name !== r.name) throw new SyntaxFault(`<... ${r.name} resumed> but the unfinished call (line ${p.line}) is ${p.head.name}`);
    this.pending.delete(r.pid);
    const body = parseCallBody(p.head.head + r.rest);
    return { call: { kind: 'call', pid: r.pid, timeUs: p.head.timeUs, ...body }, startLine: p.line };
  }

  /**
   * A thread exited (or the log ended) with a call in flight: the call entered the kernel, so it
   * is a host syscall whose result strace never saw (ret `?`).
   */
  abandon(pid: number | null): Joined | null {
    const p = this.pending.get(pid);
    if (!p) return null;
    this.pending.delete(pid);
    return { call: abandoned(p.head), startLine: p.line };
  }

  /** Pids with a call in flight, in first-seen order. */
  pids(): (number | null)[] {
    return [...this.pending.keys()];
  }
}

function abandoned(u: Unfinished): CallLine {
  let args: string[] = [];
  try {
    args = parseCallBody(`${u.head.replace(/,\s*$/, '')}) = ?`).args;
  } catch {
    args = [];
  }
  return { kind: 'call', pid: u.pid, timeUs: u.timeUs, name: u.name, args, result: { ret: null, errno: null }, durationUs: null };
}
