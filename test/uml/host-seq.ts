// Per-event host sequences of a real strace log (test/fixtures/uml/*.strace) and of a
// simulated run, in one condensed form: each call an op (`SETREGS`, `CONT:SIGSEGV`,
// `CONT:ESRCH`, `wait4:SIGTRAP|0x80`, `wait4:reaped`, `kill:SIGKILL`, `openat`, …) with its
// target pid, then tokens per guest event ("syscall P1", "fault P2", "stubs P2 x11",
// "clone P1>P2", "start P1" (start_userspace's SIGSTOP and OLDSETOPTIONS), "switch P1",
// "teardown P2", "hostfs access,newfstatat,…").
// Timer ticks are dropped on both sides: the SIGALRM stops inside a stub or fault wait
// (wait4:SIGALRM + CONT) and a tick in the loop (SYSEMU → wait4:SIGALRM, GETREGS, GETREGSET,
// then the resume again), and UML's own kill(SIGALRM)/timer_settime.
import { readFileSync } from 'node:fs';
import type { TraceLine } from '../../src/cli/uml-commands.ts';

export interface HostCall {
  op: string;
  pid: number;
}

const FILE_CALLS = new Set(['access', 'newfstatat', 'openat', 'pread64', 'close']);

/** The calls of a fixture, or of its `phase` only (from the host write of "MARK phase-begin" to that of "-end"). */
export function realCalls(file: string, phase?: string): HostCall[] {
  const out: HostCall[] = [];
  let lines = readFileSync(new URL(`../fixtures/uml/${file}`, import.meta.url), 'utf8').split('\n');
  if (phase) {
    const from = lines.findIndex((l) => l.startsWith(`write(1, "MARK ${phase}-begin`));
    const to = lines.findIndex((l) => l.startsWith(`write(1, "MARK ${phase}-end`));
    if (from < 0 || to < 0) throw new Error(`${file}: no ${phase} segment`);
    lines = lines.slice(from, to + 1);
  }
  for (const line of lines) {
    const p = /^ptrace\(PTRACE_([A-Z_]+), (\d+)/.exec(line);
    if (p) {
      out.push({ op: p[1] === 'CONT' && /-1 ESRCH/.test(line) ? 'CONT:ESRCH' : /SIGSEGV\) = 0$/.test(line) ? `${p[1]}:SIGSEGV` : p[1]!, pid: Number(p[2]) });
      continue;
    }
    const w = /^wait4\((\d+), (.*)/.exec(line);
    if (w) {
      if (/ERESTARTSYS/.test(w[2]!)) continue; // a tick's restarted wait (dropped with ticks)
      const stop = /WSTOPSIG\(s\) == (SIG[A-Z]+)( \| 0x80)?/.exec(w[2]!);
      out.push({ op: stop ? `wait4:${stop[1]}${stop[2] ? '|0x80' : ''}` : 'wait4:reaped', pid: Number(w[1]) });
      continue;
    }
    const k = /^kill\((\d+), SIGKILL\)/.exec(line);
    if (k) out.push({ op: 'kill:SIGKILL', pid: Number(k[1]) });
    const f = /^([a-z0-9]+)\(/.exec(line);
    if (f && FILE_CALLS.has(f[1]!)) out.push({ op: f[1]!, pid: 0 });
  }
  return out;
}

export function simCalls(lines: readonly TraceLine[]): HostCall[] {
  return lines.flatMap((l): HostCall[] => {
    if (l.request) {
      const op = l.request.replace('PTRACE_', '');
      return [{ op: op === 'CONT' && l.errno === 'ESRCH' ? 'CONT:ESRCH' : l.signal === 'SIGSEGV' ? `${op}:SIGSEGV` : op, pid: l.target! }];
    }
    if (l.syscall === 'wait4') {
      if (l.errno === 'ERESTARTSYS') return [];
      const stop = /(SIG[A-Z]+(\|0x80)?)/.exec(l.stop ?? '');
      return [{ op: stop && !l.stop!.startsWith('killed') ? `wait4:${stop[1]}` : 'wait4:reaped', pid: l.target! }];
    }
    if (l.syscall === 'kill' && l.signal === 'SIGKILL') return [{ op: 'kill:SIGKILL', pid: l.target! }];
    if (FILE_CALLS.has(l.syscall)) return [{ op: l.syscall, pid: 0 }];
    return [];
  });
}

/** Drop timer ticks (see the header). */
export function withoutTicks(calls: readonly HostCall[]): HostCall[] {
  const out: HostCall[] = [];
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i]!;
    if (c.op === 'wait4:SIGALRM') {
      if (calls[i + 1]?.op === 'CONT') i++; // inside a stub/fault wait: CONT, wait again
      else if (calls[i + 1]?.op === 'GETREGS' && calls[i + 2]?.op === 'GETREGSET') {
        // a loop tick: the resume before it (SETREGS, SETREGSET, SYSEMU) is repeated after it
        out.splice(out.length - 3, 3);
        i += 2;
      }
      continue;
    }
    out.push(c);
  }
  return out;
}

const SYSCALL = ['SETREGS', 'SETREGSET', 'SYSEMU', 'wait4:SIGTRAP|0x80', 'GETREGS', 'GETREGSET'];
const FAULT = ['SETREGS', 'SETREGSET', 'SYSEMU', 'wait4:SIGSEGV', 'GETREGS', 'GETREGSET', 'GETSIGINFO', 'GETREGSET', 'CONT:SIGSEGV', 'wait4:SIGTRAP', 'SETREGSET'];
const CLONE = ['SETREGS', 'SETREGSET', 'CONT', 'wait4:SIGTRAP', 'wait4:SIGTRAP', 'OLDSETOPTIONS'];
const STUB = ['SETREGS', 'CONT', 'wait4:SIGTRAP'];
const SWITCH = ['SETREGS', 'ARCH_PRCTL', 'GETREGS'];
const TEARDOWN = ['kill:SIGKILL', 'KILL', 'CONT:ESRCH', 'wait4:reaped'];
/** A teardown in a log traced without `kill` (scripts/uml-capture.sh's default `-e trace=ptrace,wait4,write`). */
const TEARDOWN_NO_KILL = TEARDOWN.slice(1);
const START = ['wait4:SIGSTOP', 'OLDSETOPTIONS'];

/** Calls → event tokens; pids renamed P1, P2, … in order of appearance. */
export function eventTokens(calls: readonly HostCall[]): string[] {
  const names = new Map<number, string>();
  const name = (pid: number) => names.get(pid) ?? (names.set(pid, `P${names.size + 1}`), names.get(pid)!);
  const cs = withoutTicks(calls);
  const out: string[] = [];
  const at = (i: number, pat: readonly string[]) => pat.every((op, j) => cs[i + j]?.op === op);
  for (let i = 0; i < cs.length;) {
    const c = cs[i]!;
    if (FILE_CALLS.has(c.op)) {
      let j = i;
      while (j < cs.length && FILE_CALLS.has(cs[j]!.op)) j++;
      out.push(`hostfs ${cs.slice(i, j).map((x) => x.op).join(',')}`);
      i = j;
      continue;
    }
    const p = name(c.pid);
    if (at(i, CLONE)) {
      out.push(`clone ${p}>${name(cs[i + 4]!.pid)}`);
      i += CLONE.length;
    } else if (at(i, START)) (out.push(`start ${p}`), (i += START.length));
    else if (at(i, SYSCALL)) (out.push(`syscall ${p}`), (i += SYSCALL.length));
    else if (at(i, FAULT)) (out.push(`fault ${p}`), (i += FAULT.length));
    else if (at(i, SWITCH)) (out.push(`switch ${p}`), (i += SWITCH.length));
    else if (at(i, TEARDOWN)) (out.push(`teardown ${p}`), (i += TEARDOWN.length));
    else if (at(i, TEARDOWN_NO_KILL)) (out.push(`teardown ${p}`), (i += TEARDOWN_NO_KILL.length));
    else if (at(i, STUB)) {
      let n = 0;
      while (at(i, STUB) && cs[i]!.pid === c.pid) (n++, (i += STUB.length));
      out.push(`stubs ${p} x${n}`);
    } else throw new Error(`unrecognised host calls at ${i}: ${cs.slice(i, i + 6).map((x) => x.op).join(', ')}`);
  }
  return out;
}

/** Host calls per op (ptrace requests without pid, wait4 results, file calls, kill). */
export function opTotals(calls: readonly HostCall[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of withoutTicks(calls)) out[c.op] = (out[c.op] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}
