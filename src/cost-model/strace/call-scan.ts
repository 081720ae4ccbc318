// The byte-level reading of a strace line for the what-if fast path: where the name, the
// arguments and the result are, without a string, a regex or an object per line. It accepts
// only lines that line.ts parseLine (the reference) reads the same way and would not reject:
// `[pid] name(args) = ret [ERRNO (text)] [<dur>]` with balanced brackets and terminated
// strings (tokenize.ts matchParen / splitArgs), and flat `--- SIG… {…} ---` lines. Anything
// else (comments, unfinished/resumed halves, exit lines, odd spacing, non-ASCII where a
// regex would read it) answers NONE, and the caller hands the line to the reference reader.
// A top-level `[…]` argument already read whole (a wait4 status) is recognised by its bytes and
// passed over (knownGroup), the same reading without the bracket-by-bracket walk.
import { parsePrefix } from './line.ts';
import { CLOSER } from './fast-line.ts';
import { ByteMap } from './byte-map.ts';
import { NAME_SYMBOL, type NameTrie } from './name-trie.ts';

export const NONE = 0;
export const CALL = 1;
export const SIGNAL = 2;

const SP = 0x20;
const QUOTE = 0x22;
const LPAREN = 0x28;
const RPAREN = 0x29;
const COMMA = 0x2c;
const DASH = 0x2d;
const DOT = 0x2e;
const SLASH = 0x2f;
const STAR = 0x2a;
const EQ = 0x3d;
const LT = 0x3c;
const GT = 0x3e;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const QMARK = 0x3f;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
/** Distinct `[…]` argument texts remembered (wait4 statuses: a few dozen in a UML log). */
const GROUPS_MAX = 1024;
const RBRACE = 0x7d;
/** Structs shorter than this are read byte by byte (a few indexOf calls cost more). */
const FLAT_MIN = 96;
/** What must not occur inside a flat struct: the other brackets, `"` and `/`. */
const FLAT_OTHERS = [...'()[]{"/'].map((c) => c.charCodeAt(0));

/** Bytes that stop the argument scan: brackets, `"`, `/`; at the top level also `,`. */
const NESTED = new Uint8Array(256);
for (const c of '()[]{}"/') NESTED[c.charCodeAt(0)] = 1;
const TOP = NESTED.slice();
TOP[COMMA] = 1;
// A line holds no \n or \r (scan.ts cuts at both) and is followed by one or by the end of its
// buffer (an out-of-range read, undefined: not 0), so the top-level loop needs no bounds test.
TOP[0x0a] = 1;
TOP[0x0d] = 1;
/** In a signal line's struct (read by a regex's `.`): also any non-ASCII byte. */
const SIGNAL_STOP = NESTED.slice();
for (let c = 0x80; c < 256; c++) SIGNAL_STOP[c] = 1;
const NAME_START = new Uint8Array(256);
const NAME = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_]/.test(ch)) NAME_START[c] = 1;
  if (/[A-Za-z0-9_]/.test(ch)) NAME[c] = 1;
}
/**
 * Per pair of bytes (a 16-bit half of a 32-bit word, either byte order): whether either byte
 * stops the scan; skip() tests four bytes a step with two lookups.
 */
function pairTable(one: Uint8Array): Uint8Array {
  const t = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) t[i] = one[i & 0xff]! | one[i >>> 8]!;
  return t;
}
const NESTED_PAIRS = pairTable(NESTED);
const SIGNAL_STOP_PAIRS = pairTable(SIGNAL_STOP);
/** Runs shorter than this are skipped byte by byte. */
const WORD_SKIP_MIN = 24;
const SIG_NAME = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+') SIG_NAME[c.charCodeAt(0)] = 1;
const ERRNO = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_') ERRNO[c.charCodeAt(0)] = 1;
const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** LineScan.name: which call the line is. */
export const OTHER_CALL = 0;
export const PTRACE_CALL = 1;
export const WAIT4_CALL = 2;

/** Where the arguments recorded per line stop (the rest are only counted). */
export const MAX_ARGS = 6;

/** The reading of one line; fields are valid after scan() answered CALL (or SIGNAL: pid only). */
export class LineScan {
  /** The calling thread (0 without a pid column, as the ledger records it). */
  pid = 0;
  nameStart = 0;
  nameEnd = 0;
  /** PTRACE_CALL, WAIT4_CALL or OTHER_CALL: the name, when scan() answered CALL. */
  name = OTHER_CALL;
  argc = 0;
  /** Argument i is bytes [argStart[i], argEnd[i]), spaces trimmed. */
  readonly argStart = new Int32Array(MAX_ARGS);
  readonly argEnd = new Int32Array(MAX_ARGS);
  /** An errno was printed. */
  failed = false;
  /** The result was `?`. */
  retNull = false;
  /** The result was a number equal to 0. */
  retZero = false;
  /**
   * ptrace lines (name PTRACE_CALL): the id in `ptraceRequests` of the first argument and the
   * second as a decimal number, when ptraceArgs() read them in one pass; else -1 (read them
   * from argStart/argEnd).
   */
  request = -1;
  target = -1;
  /** Per recorded argument: the id of its text when it is a known group (knownGroup), or -1. */
  readonly argGroup = new Int32Array(MAX_ARGS);
  /**
   * `[…]` arguments read before, each balanced with no string or comment and closed by its first
   * `]` (a wait4 status): their text → an id. The same bytes read the same way, so a known one
   * is passed over (its first `]` found by indexOf) instead of read bracket by bracket.
   */
  private readonly groups = new ByteMap<number>(GROUPS_MAX);
  /** args(): the known group last passed over (id, start, end), and the one being read to learn (start, end of its first `]`). */
  private groupId = -1;
  private groupStart = 0;
  private groupEnd = 0;
  private learnStart = -1;
  private learnEnd = 0;
  private readonly stack = new Uint8Array(64);
  /** flatStruct's chunk and, per byte value, its next position there at or after the last search. */
  private chunk: Buffer | null = null;
  private readonly next = new Int32Array(256);
  private lastOpen = 0;
  /** skip()'s chunk, its 32-bit words from the first aligned byte, and that byte's index. */
  private wordChunk: Uint8Array | null = null;
  private words: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
  private wordStart = 0;

  /** `ptraceRequests`: the names ptraceArgs() recognises as ptrace's first argument (the caller's ids). */
  constructor(private readonly ptraceRequests: NameTrie | null = null) {}

  scan(b: Buffer, s: number, e: number): number {
    if (e <= s) return NONE;
    let at = s;
    this.pid = 0;
    const c0 = b[s]!;
    if (isDigit(c0) || c0 === 0x5b) {
      at = this.prefix(b, s, e);
      if (at < 0) return NONE;
    }
    if (at >= e) return NONE;
    const first = b[at]!;
    if (first === DASH) return this.signal(b, at, e) ? SIGNAL : NONE;
    if (NAME_START[first] === 0) return NONE;
    let open: number;
    // `ptrace(` and `wait4(`, most of a UML log, recognised whole; other names byte by byte.
    if (first === 0x70 && b[at + 1] === 0x74 && b[at + 2] === 0x72 && b[at + 3] === 0x61 && b[at + 4] === 0x63 && b[at + 5] === 0x65 && b[at + 6] === LPAREN) {
      open = at + 6;
      this.name = PTRACE_CALL;
    } else if (first === 0x77 && b[at + 1] === 0x61 && b[at + 2] === 0x69 && b[at + 3] === 0x74 && b[at + 4] === 0x34 && b[at + 5] === LPAREN) {
      open = at + 5;
      this.name = WAIT4_CALL;
    } else {
      open = at + 1;
      while (open < e && NAME[b[open]!] === 1) open++;
      if (open >= e || b[open] !== LPAREN) return NONE;
      this.name = OTHER_CALL;
    }
    if (open >= e) return NONE;
    this.nameStart = at;
    this.nameEnd = open;
    // -T duration (line.ts DURATION_RE `\s+<(\d+)\.(\d+)>$`), cut before reading the result.
    let end = e;
    if (b[e - 1] === GT) {
      let k = e - 2;
      const d2 = k;
      while (k > open && isDigit(b[k]!)) k--;
      if (k === d2 || b[k] !== DOT) return NONE;
      const d1 = --k;
      while (k > open && isDigit(b[k]!)) k--;
      if (k === d1 || b[k] !== LT || b[k - 1] !== SP) return NONE;
      end = k;
    }
    const close = this.name === PTRACE_CALL ? this.ptraceArgs(b, open, end) : this.args(b, open, end, 0, open + 1);
    if (close < 0) return NONE;
    return this.result(b, close + 1, end) ? CALL : NONE;
  }

  /** pid, time and ip columns; the index where the body starts, or -1. */
  private prefix(b: Buffer, s: number, e: number): number {
    let i = s;
    let pid = 0;
    let bracket = false;
    if (b[i] === 0x5b) {
      // `[pid  123] `
      if (b[i + 1] !== 0x70 || b[i + 2] !== 0x69 || b[i + 3] !== 0x64 || b[i + 4] !== SP) return this.slowPrefix(b, s, e);
      i += 5;
      while (b[i] === SP) i++;
      bracket = true;
    }
    const d0 = i;
    while (i < e && isDigit(b[i]!)) pid = pid * 10 + (b[i++]! - 0x30);
    if (i === d0 || i - d0 > 15) return this.slowPrefix(b, s, e);
    if (!bracket && (b[i] === 0x3a || b[i] === DOT)) {
      // no pid column: a -t/-tt/-ttt time
      i = skipTime(b, s, e);
      if (i < 0) return this.slowPrefix(b, s, e);
      pid = 0;
    } else {
      if (bracket) {
        if (b[i] !== 0x5d) return this.slowPrefix(b, s, e);
        i++;
      }
      if (b[i] !== SP) return this.slowPrefix(b, s, e);
      while (b[i] === SP) i++;
      if (isDigit(b[i]!)) {
        i = skipTime(b, i, e);
        if (i < 0) return this.slowPrefix(b, s, e);
      }
    }
    const c = b[i]!;
    if (i >= e || !(NAME_START[c] === 1 || c === DASH)) return this.slowPrefix(b, s, e);
    this.pid = pid;
    return i;
  }

  /** Time or ip columns too: line.ts parsePrefix on the head, as fast-line.ts does. */
  private slowPrefix(b: Buffer, s: number, e: number): number {
    const head = b.toString('latin1', s, Math.min(e, s + 64));
    const { prefix, body } = parsePrefix(head);
    if (body.length === head.length) return -1;
    this.pid = prefix.pid ?? 0;
    return s + head.length - body.length;
  }

  /**
   * ptrace's arguments from its `(` at `open`, as args() reads them; a first argument the trie
   * knows, right before its `,`, and a decimal second one right before a `,` or the `)` are read
   * in one pass, the name recognised as it is read (request, target).
   */
  private ptraceArgs(b: Buffer, open: number, e: number): number {
    this.request = -1;
    this.target = -1;
    const trie = this.ptraceRequests;
    if (trie === null) return this.args(b, open, e, 0, open + 1);
    let j = open + 1;
    let node = 0;
    while (j < e) {
      const sym = NAME_SYMBOL[b[j]!]!;
      if (sym === 0) break;
      node = trie.step(node, sym);
      if (node === 0) return this.args(b, open, e, 0, open + 1);
      j++;
    }
    const id = trie.idAt(node);
    if (id < 0 || j >= e || b[j] !== COMMA) return this.args(b, open, e, 0, open + 1);
    let k = j + 1;
    while (k < e && b[k] === SP) k++;
    const d0 = k;
    let target = 0;
    while (k < e && isDigit(b[k]!)) target = target * 10 + (b[k++]! - 0x30);
    // Both stop bytes of args()'s top-level scan; anything else (spaces too) is left to it.
    if (k === d0 || k - d0 > 15 || k >= e || (b[k] !== COMMA && b[k] !== RPAREN)) return this.args(b, open, e, 0, open + 1);
    this.groupId = -1;
    this.learnStart = -1;
    this.arg(0, b, open + 1, j);
    this.arg(1, b, j + 1, k);
    this.request = id;
    this.target = target;
    if (b[k] === COMMA) return this.args(b, open, e, 2, k + 1);
    this.argc = 2;
    return k;
  }

  /**
   * From the `(` at `open`: records the arguments, returns the index of the closing `)` or -1.
   * `argc` arguments already recorded, the next starting at `from` (at the top level).
   */
  private args(b: Buffer, open: number, e: number, argc: number, from: number): number {
    const stack = this.stack;
    let depth = 1;
    stack[0] = RPAREN;
    let argS = from;
    let j = from;
    this.groupId = -1;
    this.learnStart = -1;
    for (;;) {
      if (depth === 1) while (TOP[b[j]!] === 0) j++;
      else j = this.skip(b, j, e, NESTED, NESTED_PAIRS);
      if (j >= e) return -1;
      const c = b[j]!;
      if (c === QUOTE) {
        j = skipString(b, j, e);
        if (j < 0) return -1;
        continue;
      }
      if (c === SLASH) {
        if (j + 1 < e && b[j + 1] === STAR) return -1; // a comment: the reference drops it
        j++;
        continue;
      }
      if (c === COMMA) {
        this.arg(argc++, b, argS, j);
        argS = ++j;
        continue;
      }
      const closer = CLOSER[c]!;
      if (closer !== 0) {
        if (c === LBRACE) {
          const k = this.flatStruct(b, j, e);
          if (k > 0) {
            j = k;
            continue;
          }
        }
        if (c === LBRACKET && depth === 1) {
          const k = this.knownGroup(b, j, e);
          if (k > 0) {
            j = k;
            continue;
          }
        }
        if (depth === stack.length) return -1;
        stack[depth++] = closer;
        j++;
        continue;
      }
      if (stack[--depth] !== c) return -1;
      if (depth === 1 && j + 1 === this.learnEnd && this.learnStart >= 0) this.learnGroup(b, j + 1);
      if (depth === 0) {
        // splitArgs: `f()` and `f( )` have no argument; `f(a,)` has two.
        let k = argS;
        while (k < j && b[k] === SP) k++;
        if (k < j || argc > 0) this.arg(argc++, b, argS, j);
        this.argc = argc;
        return j;
      }
      j++;
    }
  }

  /**
   * A long flat struct (a register dump) at `open` skipped without reading its bytes in JS:
   * its `}` found by indexOf, and none of the other bytes that matter to the argument scan in
   * between, by the next position of each in the chunk (searched again only once passed).
   * The index after the `}`, or -1 to scan it byte by byte.
   */
  private flatStruct(b: Buffer, open: number, e: number): number {
    if (b !== this.chunk || open < this.lastOpen) {
      // Another chunk, or a step back in this one: the remembered positions do not hold.
      this.chunk = b;
      this.next.fill(-1);
    }
    this.lastOpen = open;
    const next = this.next;
    let close = next[RBRACE]!;
    if (close <= open) close = next[RBRACE] = this.find(b, RBRACE, open + 1);
    if (close >= e || close - open < FLAT_MIN) return -1;
    for (let i = 0; i < FLAT_OTHERS.length; i++) {
      const c = FLAT_OTHERS[i]!;
      let p = next[c]!;
      if (p <= open) p = next[c] = this.find(b, c, open + 1);
      if (p < close) return -1;
    }
    return close + 1;
  }

  /**
   * The first index in [i, end) whose byte is in `one` (`pairs`: pairTable(one)), or `end`:
   * short runs byte by byte, long ones four bytes a step on an aligned 32-bit view of the chunk.
   */
  private skip(b: Buffer, i: number, end: number, one: Uint8Array, pairs: Uint8Array): number {
    if (end - i < WORD_SKIP_MIN) {
      while (i < end && one[b[i]!] === 0) i++;
      return i;
    }
    if (b !== this.wordChunk) this.wordView(b);
    const a = this.wordStart;
    while (((i - a) & 3) !== 0) {
      if (one[b[i]!] !== 0) return i;
      i++;
    }
    const w = this.words;
    let k = (i - a) >> 2;
    const kEnd = (end - a) >> 2;
    while (k + 1 < kEnd) {
      const x = w[k]!;
      const y = w[k + 1]!;
      if ((pairs[x & 0xffff]! | pairs[x >>> 16]! | pairs[y & 0xffff]! | pairs[y >>> 16]!) !== 0) break;
      k += 2;
    }
    while (k < kEnd) {
      const x = w[k]!;
      if ((pairs[x & 0xffff]! | pairs[x >>> 16]!) !== 0) break;
      k++;
    }
    i = a + (k << 2);
    while (i < end && one[b[i]!] === 0) i++;
    return i;
  }

  private wordView(b: Buffer): void {
    this.wordChunk = b;
    const a = (4 - (b.byteOffset & 3)) & 3;
    this.wordStart = a;
    this.words = new Uint32Array(b.buffer, b.byteOffset + Math.min(a, b.length), Math.max(0, (b.length - a) >> 2));
  }

  private find(b: Buffer, c: number, from: number): number {
    const p = b.indexOf(c, from);
    return p < 0 ? 0x7fffffff : p;
  }

  private arg(i: number, b: Buffer, s: number, e: number): void {
    const g = this.groupId;
    this.groupId = -1;
    if (i >= MAX_ARGS) return;
    while (s < e && b[s] === SP) s++;
    while (e > s && b[e - 1] === SP) e--;
    this.argStart[i] = s;
    this.argEnd[i] = e;
    this.argGroup[i] = g >= 0 && s === this.groupStart && e === this.groupEnd ? g : -1;
  }

  /**
   * The `[` at `open` (top level): the index after its group if the text up to the first `]` is
   * a known group (its id noted for arg()); else -1, that text noted for learnGroup().
   */
  private knownGroup(b: Buffer, open: number, e: number): number {
    this.learnStart = -1;
    const q = b.indexOf(RBRACKET, open + 1);
    if (q < 0 || q >= e) return -1;
    const id = this.groups.get(b, open, q + 1);
    if (id === undefined) {
      this.learnStart = open;
      this.learnEnd = q + 1;
      return -1;
    }
    this.groupId = id;
    this.groupStart = open;
    this.groupEnd = q + 1;
    return q + 1;
  }

  /** The group noted by knownGroup() was read whole and closed by its first `]` (ending at `end`): remembered. */
  private learnGroup(b: Buffer, end: number): void {
    const start = this.learnStart;
    this.learnStart = -1;
    const id = this.groups.size;
    this.groups.set(b, start, end, id); // ignored once GROUPS_MAX are held
    if (this.groups.size === id) return;
    this.groupId = id;
    this.groupStart = start;
    this.groupEnd = end;
  }

  /** `= ret`, `= -1 ERRNO (text)`, `= ? ERESTARTSYS (…)`, `= 0x… (text)` (line.ts parseResult). */
  private result(b: Buffer, k: number, e: number): boolean {
    while (e > k && b[e - 1] === SP) e--;
    while (k < e && b[k] === SP) k++;
    if (b[k] !== EQ || k + 1 >= e || b[k + 1] !== SP) return false;
    k++;
    while (k < e && b[k] === SP) k++;
    if (k >= e) return false;
    this.failed = false;
    this.retNull = false;
    let zero = true;
    if (b[k] === QMARK) {
      this.retNull = true;
      k++;
    } else if (b[k] === 0x30 && b[k + 1] === 0x78) {
      k += 2;
      const h0 = k;
      while (k < e && HEX[b[k]!] === 1) if (b[k++] !== 0x30) zero = false;
      if (k === h0) return false;
    } else {
      if (b[k] === DASH) k++;
      const d0 = k;
      while (k < e && isDigit(b[k]!)) if (b[k++] !== 0x30) zero = false;
      if (k === d0) return false;
    }
    this.retZero = !this.retNull && zero;
    if (k === e) return true;
    if (b[k] !== SP) return false;
    while (b[k] === SP) k++;
    if (b[k] === LPAREN) return annotation(b, k, e);
    if (b[k]! < 0x41 || b[k]! > 0x5a) return false;
    while (k < e && ERRNO[b[k]!] === 1) k++;
    this.failed = true;
    if (k === e) return true;
    if (b[k] !== SP) return false;
    while (b[k] === SP) k++;
    return b[k] === LPAREN && annotation(b, k, e);
  }

  /** `--- SIGCHLD {si_signo=SIGCHLD, …} ---` (line.ts parseLine's signal regex, then splitArgs of the struct). */
  private signal(b: Buffer, at: number, e: number): boolean {
    // `--- SIG`
    if (e - at < 14 || b[at + 1] !== DASH || b[at + 2] !== DASH || b[at + 3] !== SP || b[at + 4] !== 0x53 || b[at + 5] !== 0x49 || b[at + 6] !== 0x47) return false;
    let j = at + 7;
    while (j < e && SIG_NAME[b[j]!] === 1) j++;
    if (j === at + 7 || b[j] !== SP || b[j + 1] !== LBRACE) return false;
    // ` ---` right after the struct's closing brace.
    if (b[e - 4] !== SP || b[e - 3] !== DASH || b[e - 2] !== DASH || b[e - 1] !== DASH) return false;
    const stack = this.stack;
    let depth = 1;
    stack[0] = 0x7d;
    let i = j + 2;
    const last = e - 5;
    for (;;) {
      i = this.skip(b, i, last, SIGNAL_STOP, SIGNAL_STOP_PAIRS);
      if (i >= last) break;
      const c = b[i]!;
      if (c === QUOTE) {
        i = skipAsciiString(b, i, last);
        if (i < 0) return false;
        continue;
      }
      if (c >= 0x80) return false;
      if (c === SLASH) {
        if (b[i + 1] === STAR) {
          // splitArgs drops a comment (strace's `si_utime=11 /* 0.11 s */`); its end must lie inside the struct.
          i = commentEnd(b, i + 2, last);
          if (i < 0) return false;
        } else i++;
        continue;
      }
      const closer = CLOSER[c]!;
      if (closer !== 0) {
        if (depth === stack.length) return false;
        stack[depth++] = closer;
      } else if (stack[--depth] !== c || depth === 0) return false;
      i++;
    }
    return depth === 1 && b[last] === 0x7d;
  }
}

/**
 * A time column and the spaces after it (line.ts TIME_RE: `HH:MM:SS[.f]` or `S.f`, at most 9
 * fraction digits): the index after them, or -1 for anything else (then parsePrefix decides).
 */
function skipTime(b: Buffer, i: number, e: number): number {
  let k = i;
  if (isDigit(b[k]!) && isDigit(b[k + 1]!) && b[k + 2] === 0x3a) {
    if (!(isDigit(b[k + 3]!) && isDigit(b[k + 4]!) && b[k + 5] === 0x3a && isDigit(b[k + 6]!) && isDigit(b[k + 7]!))) return -1;
    k += 8;
    if (b[k] === DOT) {
      const f0 = ++k;
      while (k < e && isDigit(b[k]!)) k++;
      if (k === f0 || k - f0 > 9) return -1;
    }
  } else {
    const d0 = k;
    while (k < e && isDigit(b[k]!)) k++;
    if (k === d0 || b[k] !== DOT) return -1;
    const f0 = ++k;
    while (k < e && isDigit(b[k]!)) k++;
    if (k === f0 || k - f0 > 9) return -1;
  }
  if (k >= e || b[k] !== SP) return -1;
  while (k < e && b[k] === SP) k++;
  return k;
}

/** Index after the closing quote of the string at `i`, or -1 (tokenize.ts skipString). */
function skipString(b: Buffer, i: number, e: number): number {
  let k = i + 1;
  while (k < e) {
    const c = b[k]!;
    if (c === BACKSLASH) k += 2;
    else if (c === QUOTE) return k + 1;
    else k++;
  }
  return -1;
}

/** skipString, or -1 on a non-ASCII byte. */
function skipAsciiString(b: Buffer, i: number, e: number): number {
  let k = i + 1;
  while (k < e) {
    const c = b[k]!;
    if (c >= 0x80) return -1;
    if (c === BACKSLASH) {
      if (k + 1 < e && b[k + 1]! >= 0x80) return -1;
      k += 2;
    } else if (c === QUOTE) return k + 1;
    else k++;
  }
  return -1;
}

// Index after the star-slash that ends a comment whose text starts at `i`, both bytes before
// `end` (tokenize.ts splitArgs searches for it with indexOf), or -1: none, or a non-ASCII byte
// the reference's signal regex would not read with `.`.
function commentEnd(b: Buffer, i: number, end: number): number {
  for (let k = i; k + 1 < end; k++) {
    const c = b[k]!;
    if (c >= 0x80) return -1;
    if (c === STAR && b[k + 1] === SLASH) return k + 2;
  }
  return -1;
}

/** `(text)` to the end: ASCII, so that the reference's `\(.*\)` reads all of it. */
function annotation(b: Buffer, k: number, e: number): boolean {
  if (b[e - 1] !== RPAREN) return false;
  for (let i = k; i < e; i++) if (b[i]! >= 0x80) return false;
  return true;
}
