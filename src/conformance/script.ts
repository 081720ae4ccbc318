// Parser for conformance scripts (docs/script-format.md): the contract shared by the C
// harness (real kernel) and the simulator runner. Errors name the line.
import { parseSignal } from '../kernel/signals.ts';
import { PTRACE_O } from '../kernel/task.ts';
import { WCONTINUED, WEXITED, WNOHANG, WNOWAIT, WUNTRACED, __WALL, __WCLONE, __WNOTHREAD } from '../kernel/wait-status.ts';
import { NT, parseRequest, PTRACE } from '../ptrace/numbers.ts';

export const PAGE_ADDR = 0x70000000n;
export const RO_ADDR = 0x70001000n;
export const UNMAPPED_ADDR = 0x70002000n;

export type Target = 'child' | 'grandchild' | 'self' | 'init' | 'nonexistent';

export type ChildOp =
  | { op: 'getpid' | 'getppid' | 'gettid' | 'pause' | 'int3' | 'exec' }
  | { op: 'syscall'; nr: bigint; args: bigint[] }
  | { op: 'raise' | 'kill' | 'ignore'; sig: number }
  | { op: 'store'; addr: bigint; value: bigint }
  | { op: 'load'; addr: bigint }
  | { op: 'spin'; n: bigint | 'forever' }
  | { op: 'fork' | 'exit'; code: bigint };

export type Operand =
  | { kind: 'num'; value: bigint }
  | { kind: 'buf'; offset: number }
  | { kind: 'bad' }
  | { kind: 'iov'; len: number };

export type TracerOp =
  | { line: number; op: 'ptrace'; req: number; reqText: string; addr: Operand; data: Operand; pid: Target; show: string[] }
  | { line: number; op: 'wait'; pid: Target | 'any'; options: number }
  | { line: number; op: 'kill'; sig: number; pid: Target }
  | { line: number; op: 'bufset'; addr: Operand; value: bigint }
  | { line: number; op: 'settle' };

export interface Script {
  setup: 'traceme' | 'plain';
  child: ChildOp[];
  ops: TracerOp[];
}

export class ScriptError extends Error {
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
  }
}

const WAIT_FLAGS: Record<string, number> = {
  WNOHANG, WUNTRACED, WSTOPPED: WUNTRACED, WEXITED, WCONTINUED, WNOWAIT, __WNOTHREAD, __WALL, __WCLONE,
};

const ADDRS: Record<string, bigint> = { PAGE: PAGE_ADDR, RO: RO_ADDR, UNMAPPED: UNMAPPED_ADDR };

const SHOW_FIELDS: Record<string, string[] | 'regs'> = {
  GETREGS: 'regs',
  PEEKTEXT: ['value'], PEEKDATA: ['value'], PEEKUSER: ['value'],
  GETSIGINFO: ['signo', 'errno', 'code', 'addr', 'pid', 'status', 'uid'],
  GETEVENTMSG: ['value'],
  GET_SYSCALL_INFO: ['op', 'nr', 'rval', 'is_error', 'args', 'arch', 'instruction_pointer', 'stack_pointer'],
};

export const X86_64_REG_NAMES = [
  'r15', 'r14', 'r13', 'r12', 'rbp', 'rbx', 'r11', 'r10', 'r9', 'r8', 'rax', 'rcx', 'rdx',
  'rsi', 'rdi', 'orig_rax', 'rip', 'cs', 'eflags', 'rsp', 'ss', 'fs_base', 'gs_base', 'ds', 'es', 'fs', 'gs',
];

function parseNumber(tok: string): bigint | undefined {
  if (/^-?(0x[0-9a-f]+|\d+)$/i.test(tok)) {
    const neg = tok.startsWith('-');
    const v = BigInt(neg ? tok.slice(1) : tok);
    return neg ? -v : v;
  }
  return undefined;
}

/** One `|`-joined value: numbers, signals, options, wait flags, regsets, address tokens. */
export function parseValue(tok: string, line: number): bigint {
  let out = 0n;
  for (const part of tok.split('|')) {
    const up = part.toUpperCase();
    const n = parseNumber(part);
    const addr = /^(PAGE|RO|UNMAPPED)([+-]\d+|[+-]0x[0-9a-f]+)?$/i.exec(part);
    let v: bigint | undefined;
    if (n !== undefined) v = n;
    else if (addr) v = ADDRS[addr[1]!.toUpperCase()]! + (addr[2] ? parseNumber(addr[2].replace('+', ''))! : 0n);
    else if (up.startsWith('SIG') && parseSignal(up) !== undefined) v = BigInt(parseSignal(up)!);
    else if (up in PTRACE_O) v = BigInt((PTRACE_O as Record<string, number>)[up]!);
    else if (up in WAIT_FLAGS) v = BigInt(WAIT_FLAGS[up]!);
    else if (up in NT) v = BigInt((NT as Record<string, number>)[up]!);
    else if (up === 'NT_PRPSINFO') v = 3n;
    if (v === undefined) throw new ScriptError(line, `bad value '${part}'`);
    out |= v;
  }
  return out;
}

function parseOperand(tok: string, line: number): Operand {
  const buf = /^@buf(\+(\d+|0x[0-9a-f]+))?$/i.exec(tok);
  if (buf) {
    const offset = buf[2] ? Number(parseNumber(buf[2])!) : 0;
    if (offset >= 4096) throw new ScriptError(line, `@buf offset ${offset} must be < 4096`);
    return { kind: 'buf', offset };
  }
  if (tok === '@bad') return { kind: 'bad' };
  const iov = /^@iov:(\d+)$/.exec(tok);
  if (iov) return { kind: 'iov', len: Number(iov[1]) };
  if (tok.startsWith('@')) throw new ScriptError(line, `bad tracer buffer '${tok}'`);
  return { kind: 'num', value: parseValue(tok, line) };
}

function parseTarget(tok: string, line: number): Target {
  if (['child', 'grandchild', 'self', 'init', 'nonexistent'].includes(tok)) return tok as Target;
  throw new ScriptError(line, `unknown target '${tok}'`);
}

function parseChild(t: string[], line: number): ChildOp {
  const op = t[1];
  const args = t.slice(2);
  const want = (n: number) => {
    if (args.length !== n) throw new ScriptError(line, `child ${op}: expected ${n} argument(s)`);
  };
  const sig = (tok: string) => {
    const s = parseSignal(tok);
    if (s === undefined) throw new ScriptError(line, `bad signal '${tok}'`);
    return s;
  };
  switch (op) {
    case 'getpid': case 'getppid': case 'gettid': case 'pause': case 'int3': case 'exec':
      want(0);
      return { op };
    case 'syscall':
      if (args.length < 1 || args.length > 7) throw new ScriptError(line, 'child syscall: expected NR [A1..A6]');
      return { op, nr: parseValue(args[0]!, line), args: args.slice(1).map((a) => parseValue(a, line)) };
    case 'raise': case 'kill': case 'ignore':
      want(1);
      return { op, sig: sig(args[0]!) };
    case 'store':
      want(2);
      return { op, addr: parseValue(args[0]!, line), value: parseValue(args[1]!, line) };
    case 'load':
      want(1);
      return { op, addr: parseValue(args[0]!, line) };
    case 'spin':
      want(1);
      return { op, n: args[0] === 'forever' ? 'forever' : parseValue(args[0]!, line) };
    case 'fork': case 'exit':
      want(1);
      return { op, code: parseValue(args[0]!, line) };
    default:
      throw new ScriptError(line, `unknown child op '${op ?? ''}'`);
  }
}

function parseTracer(t: string[], line: number): TracerOp {
  const op = t[0];
  const kv = (tok: string) => /^(pid|show)=(.*)$/.exec(tok);
  switch (op) {
    case 'ptrace': {
      const [reqText, a, d, ...rest] = t.slice(1);
      if (!reqText || a === undefined || d === undefined) throw new ScriptError(line, 'ptrace needs REQ ADDR DATA');
      const req = parseRequest(reqText);
      if (req === undefined) throw new ScriptError(line, `unknown request '${reqText}'`);
      if (req === PTRACE.TRACEME) throw new ScriptError(line, 'TRACEME is a child op (child syscall 101)');
      let pid: Target = 'child';
      let show: string[] = [];
      for (const r of rest) {
        const m = kv(r);
        if (!m) throw new ScriptError(line, `unexpected '${r}'`);
        if (m[1] === 'pid') pid = parseTarget(m[2]!, line);
        else show = m[2]!.split(',').filter(Boolean);
      }
      if ((req === PTRACE.ATTACH || req === PTRACE.SEIZE) && pid === 'init') throw new ScriptError(line, 'never ATTACH/SEIZE init');
      const upper = /^(0x[0-9a-f]+|\d+)$/i.test(reqText) ? reqText : reqText.toUpperCase().replace(/^PTRACE_/, '');
      const name = Object.entries(PTRACE).find(([, v]) => v === req)?.[0];
      const allowed = name ? SHOW_FIELDS[name] : undefined;
      for (const f of show) {
        const ok = allowed === 'regs' ? X86_64_REG_NAMES.includes(f) : allowed?.includes(f);
        if (!ok) throw new ScriptError(line, `show=${f} is not a field of ${reqText}`);
      }
      const data = parseOperand(d, line);
      if (show.length > 0 && data.kind !== 'buf') throw new ScriptError(line, 'show= needs DATA to be a tracer buffer (@buf…)');
      return { line, op, req, reqText: upper, addr: parseOperand(a, line), data, pid, show };
    }
    case 'wait': {
      let pid: Target | 'any' = 'child';
      let options = 0;
      for (const r of t.slice(1)) {
        const m = kv(r);
        if (m && m[1] === 'pid') pid = m[2] === 'any' ? 'any' : parseTarget(m[2]!, line);
        else if (r === 'any') pid = 'any';
        else options = Number(BigInt.asUintN(32, parseValue(r, line)));
      }
      return { line, op, pid, options };
    }
    case 'kill': {
      const s = parseSignal(t[1] ?? '');
      if (s === undefined) throw new ScriptError(line, `bad signal '${t[1] ?? ''}'`);
      let pid: Target = 'child';
      for (const r of t.slice(2)) {
        const m = kv(r);
        if (m && m[1] === 'pid') pid = parseTarget(m[2]!, line);
        else throw new ScriptError(line, `unexpected '${r}'`);
      }
      if ((pid === 'init' || pid === 'self') && s !== 0) throw new ScriptError(line, `never kill ${pid}`);
      return { line, op, sig: s, pid };
    }
    case 'bufset':
      if (t.length !== 3) throw new ScriptError(line, 'bufset ADDR VALUE');
      return { line, op, addr: parseOperand(t[1]!, line), value: parseValue(t[2]!, line) };
    case 'settle':
      return { line, op };
    default:
      throw new ScriptError(line, `unknown operation '${op ?? ''}'`);
  }
}

export function parseScript(text: string): Script {
  let setup: Script['setup'] | undefined;
  const child: ChildOp[] = [];
  const ops: TracerOp[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const t = raw.replace(/#.*/, '').trim().split(/[ \t]+/).filter(Boolean);
    if (t.length === 0) return;
    if (setup === undefined) {
      if (t[0] !== 'setup' || (t[1] !== 'traceme' && t[1] !== 'plain')) throw new ScriptError(line, 'first line must be `setup traceme|plain`');
      setup = t[1];
      return;
    }
    if (t[0] === 'child') {
      if (ops.length > 0) throw new ScriptError(line, '`child` lines must come before tracer operations');
      child.push(parseChild(t, line));
      return;
    }
    ops.push(parseTracer(t, line));
  });
  if (setup === undefined) throw new ScriptError(1, 'empty script');
  return { setup, child, ops };
}

/** One tracer-operation line on its own (the conformance generator builds scripts op by op). */
export function parseTracerLine(text: string, line: number): TracerOp {
  return parseTracer(text.replace(/#.*/, '').trim().split(/[ \t]+/).filter(Boolean), line);
}
