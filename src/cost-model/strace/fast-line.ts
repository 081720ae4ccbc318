// The byte-level fast path of the strace reader: recognises the lines that make up almost all
// of a UML host log — `ptrace(…) = R`, `wait4(…) = R` and `--- SIG… {…} ---` — straight from
// the Buffer, without decoding or splitting what the ledger does not use: a register dump,
// siginfo or rusage struct is only scanned for balanced brackets and kept as the placeholder
// `{}` (decode.ts reads no number from a struct argument; the one struct it reads, a regset's
// iovec, is decoded). Anything else, and anything unusual in these (strings, comments,
// unfinished/resumed halves, odd spacing), returns null: the caller then parses the line with
// line.ts parseLine, the reference, so results and errors are the reference's by construction.
// Checked against parseLine on random logs (test/cost-model/fast-line.test.ts).
import { parsePrefix, parseResult, type StraceLine } from './line.ts';

const SPACE = 0x20;
const COMMA = 0x2c;
const CLOSE_PAREN = 0x29;

/** Bytes of an unbracketed argument token: A-Z a-z 0-9 _ | * + . - (numbers, names, flag sets, 8*ORIG_RAX). */
const TOKEN = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_|*+.-') TOKEN[c.charCodeAt(0)] = 1;
/** Closer of each opening bracket (0: not an opener); quotes, `/` (comments), `\\` and `\r` are left to the reference parser. */
export const CLOSER = new Uint8Array(256);
CLOSER[0x28] = 0x29;
CLOSER[0x5b] = 0x5d;
CLOSER[0x7b] = 0x7d;
/** 1: an opener or closer; 2: a byte that sends the line to the reference parser. */
const SPECIAL = new Uint8Array(256);
for (const c of '()[]{}') SPECIAL[c.charCodeAt(0)] = 1;
for (const c of '"/\\\r') SPECIAL[c.charCodeAt(0)] = 2;

const SIG_NAME = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+') SIG_NAME[c.charCodeAt(0)] = 1;

/** Index after the bracketed argument starting at `i` (an opener), or -1 when unbalanced or unusual. */
function skipBracketed(b: Buffer, i: number, e: number): number {
  const stack: number[] = [CLOSER[b[i]!]!];
  for (let j = i + 1; j < e; j++) {
    while (j < e && SPECIAL[b[j]!] === 0) j++; // the bulk of a register dump: one table lookup a byte
    if (j >= e) return -1;
    const c = b[j]!;
    if (SPECIAL[c] === 2) return -1;
    if (CLOSER[c]) stack.push(CLOSER[c]);
    else {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return j + 1;
    }
  }
  return -1;
}

function startsWith(b: Buffer, at: number, e: number, text: string): boolean {
  if (at + text.length > e) return false;
  for (let k = 0; k < text.length; k++) if (b[at + k] !== text.charCodeAt(k)) return false;
  return true;
}

const DURATION_RE = /\s+<(\d+)\.(\d+)>$/;

function fractionUs(digits: string | undefined): number {
  if (!digits) return 0;
  return Math.round(Number(`0.${digits}`) * 1e6);
}

/** The argument indices whose text the ledger reads (others become `{}` / `[]`). */
function keepText(name: string, args: readonly string[], index: number): boolean {
  if (name === 'wait4') return index === 1; // the status, decoded by decodeWaitStatus
  return index === 3 && (args[0] === 'PTRACE_GETREGSET' || args[0] === 'PTRACE_SETREGSET'); // the iovec's iov_len
}

/** Parse line bytes b[s, e) (no newline) like parseLine, or return null to let parseLine do it. */
export function fastParse(b: Buffer, s: number, e: number): StraceLine | null {
  if (e <= s) return null;
  let pid: number | null = null;
  let timeUs: number | null = null;
  let at = s;
  const c0 = b[s]!;
  if ((c0 >= 0x30 && c0 <= 0x39) || c0 === 0x5b) {
    // pid / time / ip columns: ASCII, so latin1 offsets are byte offsets. A head cut short only
    // makes the body look odd, which sends the line to the reference parser.
    const head = b.toString('latin1', s, Math.min(e, s + 64));
    const { prefix, body } = parsePrefix(head);
    if (body.length === head.length) return null;
    pid = prefix.pid;
    timeUs = prefix.timeUs;
    at = s + head.length - body.length;
  }
  const first = b[at];
  if (first === 0x2d) return signalLine(b, at, e, pid, timeUs);
  if (first !== 0x70 && first !== 0x77) return null; // p(trace), w(ait4)
  let name: string;
  if (startsWith(b, at, e, 'ptrace(')) name = 'ptrace';
  else if (startsWith(b, at, e, 'wait4(')) name = 'wait4';
  else return null;
  let i = at + name.length + 1;
  const args: string[] = [];
  for (;;) {
    while (i < e && b[i] === SPACE) i++;
    if (i >= e) return null;
    const c = b[i]!;
    let end: number;
    if (CLOSER[c]) {
      end = skipBracketed(b, i, e);
      if (end < 0) return null;
      args.push(keepText(name, args, args.length) ? b.toString('utf8', i, end) : c === 0x5b ? '[]' : '{}');
    } else if (TOKEN[c]) {
      end = i;
      while (end < e && TOKEN[b[end]!]) end++;
      args.push(b.toString('latin1', i, end));
    } else if (c === CLOSE_PAREN && args.length === 0) {
      end = i;
    } else return null;
    i = end;
    while (i < e && b[i] === SPACE) i++;
    if (b[i] === COMMA) {
      i++;
      continue;
    }
    if (b[i] === CLOSE_PAREN) break;
    return null;
  }
  // The result: small, so decoded and read by the reference's own functions.
  let tail = b.toString('utf8', i + 1, e);
  let durationUs: number | null = null;
  if (tail.endsWith('...>')) return null; // `<unfinished ...>`
  const d = DURATION_RE.exec(tail);
  if (d) {
    durationUs = Number(d[1]) * 1e6 + fractionUs(d[2]);
    tail = tail.slice(0, d.index);
  }
  const after = tail.trim();
  if (!after.startsWith('=')) return null;
  let result;
  try {
    result = parseResult(after);
  } catch {
    return null;
  }
  return { pid, timeUs, kind: 'call', name, args, result, durationUs };
}

/** `--- SIGCHLD {si_signo=SIGCHLD, …} ---` with a flat struct; anything else: null. */
function signalLine(b: Buffer, at: number, e: number, pid: number | null, timeUs: number | null): StraceLine | null {
  if (!startsWith(b, at, e, '--- SIG')) return null;
  let j = at + 4;
  while (j < e && SIG_NAME[b[j]!]) j++;
  if (j <= at + 7 || !startsWith(b, j, e, ' {')) return null; // SIG + at least one more
  const signal = b.toString('latin1', at + 4, j);
  const end = skipBracketed(b, j + 1, e);
  if (end < 0 || end !== e - 4 || !startsWith(b, end, e, ' ---')) return null;
  // The reference reads the struct with a regex `.`, which stops at U+2028/U+2029: non-ASCII goes to it.
  for (let k = j + 1; k < end; k++) if (b[k]! >= 0x80) return null;
  // The reference splits the struct's fields (splitArgs) and only throws on strings, comments or
  // unbalanced brackets, which skipBracketed has excluded; nested brackets split fine.
  return { pid, timeUs, kind: 'signal', signal };
}
