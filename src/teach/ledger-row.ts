// A ledger entry as the teaching view prints it (strace-like) with its cost-model price.
import type { KernelConfig } from '../kernel/config.ts';
import type { LedgerEntry } from '../kernel/ledger.ts';
import { signalName } from '../kernel/signals.ts';
import { describeStatus } from '../kernel/wait-status.ts';
import { ledgerBytes } from '../cost-model/ledger-bytes.ts';
import { price, totalNs } from '../cost-model/price.ts';
import type { CostProfile } from '../cost-model/profile.ts';
import type { LedgerRow } from './types.ts';

const WAIT_FLAGS: [number, string][] = [[0x1, 'WNOHANG'], [0x2, 'WUNTRACED'], [0x8, 'WCONTINUED'], [0x20000000, '__WNOTHREAD'], [0x40000000, '__WALL'], [0x80000000, '__WCLONE']];

function waitOptions(v: bigint): string {
  const n = Number(BigInt.asUintN(32, v));
  const names = WAIT_FLAGS.filter(([bit]) => (n & bit) >>> 0 !== 0).map(([, name]) => name);
  return names.length ? names.join('|') : '0';
}

function arg(v: bigint): string {
  const s = BigInt.asIntN(64, v);
  return s >= -4096n && s < 4096n ? s.toString() : `0x${BigInt.asUintN(64, v).toString(16)}`;
}

export function callText(e: LedgerEntry): string {
  const p = e.ptrace;
  if (p) {
    const extra = p.regset ? `, ${p.regset}` : p.signal ? `, ${signalName(p.signal)}` : '';
    const sub = p.sub ? ` {${p.sub.map((s) => s.requestName.replace('PTRACE_', '')).join(', ')}}` : '';
    return `ptrace(${p.requestName}, ${p.target}${extra})${sub}`;
  }
  if (e.syscall === 'wait4') return `wait4(${arg(e.args[0] ?? 0n)}, ${waitOptions(e.args[2] ?? 0n)})`;
  if (e.syscall === 'kill' || e.syscall === 'tgkill') {
    const a = e.args.map(arg);
    a[a.length - 1] = signalName(Number(e.args[e.args.length - 1] ?? 0n));
    return `${e.syscall}(${a.join(', ')})`;
  }
  return `${e.syscall}(${e.args.map(arg).join(', ')})${e.emulated ? ' [emulated]' : ''}`;
}

export function resultText(e: LedgerEntry): string {
  if (e.errno) return `-1 ${e.errno}`;
  const status = e.wait?.status;
  return status !== undefined && status !== null ? `${e.ret} [${describeStatus(status)}]` : arg(e.ret);
}

export function ledgerRow(e: LedgerEntry, external: boolean, profile: CostProfile, cfg: Pick<KernelConfig, 'arch' | 'xstateBytes'>): LedgerRow {
  return {
    seq: e.seq,
    pid: e.pid,
    text: callText(e),
    result: resultText(e),
    external,
    request: e.ptrace?.requestName ?? null,
    status: e.wait?.status ?? null,
    sub: e.ptrace?.sub ? e.ptrace.sub.map((s) => `${s.requestName.replace('PTRACE_', '')} = ${s.errno ? `-1 ${s.errno}` : s.ret}`) : null,
    priceNs: external ? totalNs(price(e, profile, ledgerBytes(e, cfg))) : 0,
  };
}
