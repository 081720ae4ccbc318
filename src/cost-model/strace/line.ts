// One line of strace output → a typed record. Handles what strace prints around a call:
// pid prefixes (`[pid 123] ` on a terminal, `123 ` with -f -o), -i instruction pointers,
// -t / -tt / -ttt (and -r) timestamps, -T durations, `<unfinished ...>` and `<... resumed>`
// halves, `--- SIG… ---` signal lines and `+++ exited/killed +++` exit lines.
// Source: strace(1) "DESCRIPTION" and "OPTIONS" (strace 6.1), checked against the real UML
// logs in test/fixtures/uml/.
import { matchParen, splitArgs, SyntaxFault } from './tokenize.ts';

export interface Prefix {
  /** The calling thread, or null when the log has no pid column (one traced process). */
  readonly pid: number | null;
  /** Timestamp in microseconds (seconds of day for -t/-tt, epoch or relative for -ttt/-r), or null. */
  readonly timeUs: number | null;
}

export interface CallResult {
  /** The return value, or null when strace printed `?` (unknown: the call did not return normally). */
  readonly ret: bigint | null;
  readonly errno: string | null;
}

export type StraceLine =
  | (Prefix & { kind: 'call'; name: string; args: string[]; result: CallResult; durationUs: number | null })
  | (Prefix & { kind: 'unfinished'; name: string; head: string })
  | (Prefix & { kind: 'resumed'; name: string; rest: string })
  | (Prefix & { kind: 'signal'; signal: string })
  | (Prefix & { kind: 'exit'; how: 'exited' | 'killed' | 'superseded'; value: string })
  | { kind: 'blank' | 'note'; pid: null; timeUs: null };

export { SyntaxFault };

const PID_RE = /^(?:\[pid\s+(\d+)\]|(\d+))\s+/;
const IP_RE = /^\[\s*[0-9a-f]{8,16}\]\s+/;
const TIME_RE = /^(?:(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?|(\d+)\.(\d{1,9}))\s+/;
const DURATION_RE = /\s+<(\d+)\.(\d+)>$/;
const UNFINISHED = ' <unfinished ...>';

function fractionUs(digits: string | undefined): number {
  if (!digits) return 0;
  return Math.round(Number(`0.${digits}`) * 1e6);
}

/** Strip the pid, -i and timestamp columns (in strace's order: pid, time, ip). */
export function parsePrefix(line: string): { prefix: Prefix; body: string } {
  let rest = line;
  let pid: number | null = null;
  let timeUs: number | null = null;
  const p = PID_RE.exec(rest);
  if (p) {
    pid = Number(p[1] ?? p[2]);
    rest = rest.slice(p[0].length);
  }
  const t = TIME_RE.exec(rest);
  if (t) {
    timeUs = t[1] !== undefined
      ? (Number(t[1]) * 3600 + Number(t[2]) * 60 + Number(t[3])) * 1e6 + fractionUs(t[4])
      : Number(t[5]) * 1e6 + fractionUs(t[6]);
    rest = rest.slice(t[0].length);
  }
  const ip = IP_RE.exec(rest);
  if (ip) rest = rest.slice(ip[0].length);
  return { prefix: { pid, timeUs }, body: rest };
}

/** Parse `= 0`, `= -1 ESRCH (No such process)`, `= ? ERESTARTSYS (To be restarted …)`, `= 0x7f… (annotation)`. */
export function parseResult(text: string): CallResult {
  const m = /^=\s+(\S+)(?:\s+([A-Z][A-Z0-9_]*)(?:\s+\(.*\))?|\s+\(.*\))?$/.exec(text.trim());
  if (!m) throw new SyntaxFault(`cannot read the result "${text.trim()}"`);
  const tok = m[1]!;
  let ret: bigint | null;
  if (tok === '?') ret = null;
  else if (/^-?\d+$/.test(tok) || /^0x[0-9a-f]+$/i.test(tok)) ret = BigInt(tok);
  else throw new SyntaxFault(`result "${tok}" is not a number`);
  return { ret, errno: m[2] ?? null };
}

/** `name(args) = result [<dur>]` (also used on re-joined unfinished/resumed halves). */
export function parseCallBody(body: string): { name: string; args: string[]; result: CallResult; durationUs: number | null } {
  let text = body;
  let durationUs: number | null = null;
  const d = DURATION_RE.exec(text);
  if (d) {
    durationUs = Number(d[1]) * 1e6 + fractionUs(d[2]);
    text = text.slice(0, d.index);
  }
  const open = text.indexOf('(');
  const name = text.slice(0, open);
  if (open <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new SyntaxFault('not a syscall line');
  const close = matchParen(text, open);
  if (close < 0) throw new SyntaxFault(`${name}: no closing parenthesis`);
  const args = splitArgs(text.slice(open + 1, close));
  const after = text.slice(close + 1).trim();
  if (!after.startsWith('=')) throw new SyntaxFault(`${name}: no "= result" after the arguments`);
  return { name, args, result: parseResult(after), durationUs };
}

/** Classify and parse one line. Throws SyntaxFault on text that is none of strace's line kinds. */
export function parseLine(line: string): StraceLine {
  if (line.trim() === '') return { kind: 'blank', pid: null, timeUs: null };
  if (line.startsWith('strace: ')) return { kind: 'note', pid: null, timeUs: null };
  const { prefix, body } = parsePrefix(line.replace(/\r$/, ''));
  if (body.startsWith('--- ')) {
    const m = /^--- (?:(SIG[A-Z0-9+]+) (\{.*\}|\(.*\))(?: @ .*)?|stopped by (SIG[A-Z0-9+]+)) ---$/.exec(body);
    if (!m) throw new SyntaxFault('malformed signal line');
    if (m[2]?.startsWith('{')) splitArgs(m[2].slice(1, -1));
    return { ...prefix, kind: 'signal', signal: (m[1] ?? m[3])! };
  }
  if (body.startsWith('+++ ')) {
    const m = /^\+\+\+ (?:exited with (\d+)|killed by (SIG[A-Z0-9+]+)(?: \(core dumped\))?|superseded by execve in pid (\d+)) \+\+\+$/.exec(body);
    if (!m) throw new SyntaxFault('malformed exit line');
    if (m[1] !== undefined) return { ...prefix, kind: 'exit', how: 'exited', value: m[1] };
    if (m[2] !== undefined) return { ...prefix, kind: 'exit', how: 'killed', value: m[2] };
    return { ...prefix, kind: 'exit', how: 'superseded', value: m[3]! };
  }
  if (body.startsWith('<... ')) {
    const m = /^<\.\.\. ([A-Za-z_][A-Za-z0-9_]*) resumed>\s?(.*)$/.exec(body);
    if (!m) throw new SyntaxFault('malformed "resumed" line');
    return { ...prefix, kind: 'resumed', name: m[1]!, rest: m[2]! };
  }
  if (body.endsWith(UNFINISHED)) {
    const head = body.slice(0, -UNFINISHED.length);
    const open = head.indexOf('(');
    const name = head.slice(0, open);
    if (open <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new SyntaxFault('malformed "unfinished" line');
    return { ...prefix, kind: 'unfinished', name, head };
  }
  return { ...prefix, kind: 'call', ...parseCallBody(body) };
}
