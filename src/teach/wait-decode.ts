// The wait4 status word decoded bit by bit, as ptrace.md §4 draws it:
//   bits 16-31 ptrace event | bits 8-15 byte1 | bit 7 core | bits 0-6 low7
// with the glibc macros (bits/waitstatus.h) evaluated on it.
import { signalName } from '../kernel/signals.ts';
import { PTRACE_EVENT } from '../kernel/task.ts';
import {
  describeStatus, hexStatus, WEXITSTATUS, WIFCONTINUED, WIFEXITED, WIFSIGNALED, WIFSTOPPED, WSTOPSIG, WTERMSIG,
} from '../kernel/wait-status.ts';
import type { WaitBitField, WaitDecode } from './types.ts';

const EVENT_NAMES: Record<number, string> = Object.fromEntries(Object.entries(PTRACE_EVENT).map(([k, v]) => [v, `PTRACE_EVENT_${k}`]));

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

function byte1Meaning(s: number): string {
  const b = (s >> 8) & 0xff;
  if (WIFEXITED(s)) return `exit code ${b}`;
  if (WIFSTOPPED(s)) {
    if (b === 0x85) return 'stop signal SIGTRAP|0x80: a syscall stop with PTRACE_O_TRACESYSGOOD';
    return `stop signal ${signalName(b)}`;
  }
  return b === 0 ? 'unused (0)' : `${b}`;
}

function low7Meaning(s: number): string {
  const low7 = s & 0x7f;
  if (low7 === 0) return '0: exited normally';
  if (low7 === 0x7f) return '0x7f: stopped';
  return `killed by ${signalName(low7)}`;
}

/** Decode a wait status (ptrace.md §4 "Wait status encoding (bit by bit)"). */
export function decodeWaitStatus(status: number): WaitDecode {
  const s = status >>> 0;
  const binary = s.toString(2).padStart(32, '0');
  if (WIFCONTINUED(s)) {
    return {
      status: s, hex: hexStatus(s), binary, summary: describeStatus(s),
      fields: [{ bits: '0-15', name: 'whole word', value: '0xffff', meaning: 'continued by SIGCONT (WCONTINUED)' }],
      macros: [{ name: 'WIFCONTINUED', value: 'true' }],
    };
  }
  const event = s >>> 16;
  const fields: WaitBitField[] = [
    { bits: '16-31', name: 'ptrace event', value: hex(event), meaning: event === 0 ? 'none' : EVENT_NAMES[event] ?? `event ${event}` },
    { bits: '8-15', name: 'byte1', value: hex((s >> 8) & 0xff), meaning: byte1Meaning(s) },
    { bits: '7', name: 'core', value: String((s >> 7) & 1), meaning: WIFSTOPPED(s) ? 'part of 0x7f' : s & 0x80 ? 'core dumped' : 'no core dump' },
    { bits: '0-6', name: 'low7', value: hex(s & 0x7f), meaning: low7Meaning(s) },
  ];
  const macros = [
    { name: 'WIFEXITED', value: String(WIFEXITED(s)) },
    { name: 'WIFSIGNALED', value: String(WIFSIGNALED(s)) },
    { name: 'WIFSTOPPED', value: String(WIFSTOPPED(s)) },
  ];
  if (WIFEXITED(s)) macros.push({ name: 'WEXITSTATUS', value: String(WEXITSTATUS(s)) });
  if (WIFSIGNALED(s)) macros.push({ name: 'WTERMSIG', value: `${WTERMSIG(s)} (${signalName(WTERMSIG(s))})` });
  if (WIFSTOPPED(s)) macros.push({ name: 'WSTOPSIG', value: `${WSTOPSIG(s)}${WSTOPSIG(s) === 0x85 ? ' (not SIGTRAP: 133 = SIGTRAP|0x80)' : ` (${signalName(WSTOPSIG(s))})`}` });
  if (WIFSTOPPED(s)) macros.push({ name: 'status >> 16', value: event === 0 ? '0' : `${event} (${EVENT_NAMES[event] ?? '?'})` });
  return { status: s, hex: hexStatus(s), binary, fields, macros, summary: describeStatus(s) };
}
