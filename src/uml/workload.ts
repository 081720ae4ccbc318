// Guest workloads: named specs (`getpid:N`, `write:NxBYTES`, sums like `getpid:1000+write:10x64`)
// compiled to a guest init program in the guest ABI (the host arch's syscall numbers).
// Parts the UML model cannot run yet are refused with an error naming the part.
import type { Arch } from '../kernel/arch.ts';
import { Asm } from '../kernel/asm.ts';
import type { Insn } from '../kernel/isa.ts';

export type WorkloadPart =
  | { kind: 'getpid'; count: number }
  | { kind: 'write'; count: number; bytes: number };

export interface Workload {
  readonly spec: string;
  readonly parts: readonly WorkloadPart[];
}

export class WorkloadError extends Error {}

const NOT_YET = new Set(['touch', 'fork', 'exec', 'sleep', 'random']);
const COUNT_MAX = 1_000_000;

export function parseWorkload(spec: string): Workload {
  const text = spec.trim();
  if (!text) throw new WorkloadError('workload: empty spec (try getpid:1000)');
  const parts = text.split('+').map((raw, i): WorkloadPart => {
    const part = raw.trim();
    const m = /^([a-z]+):(.*)$/.exec(part);
    if (!m) throw new WorkloadError(`workload part ${i + 1} '${part}': expected NAME:ARGS, e.g. getpid:1000`);
    const [, name, args] = m as unknown as [string, string, string];
    const int = (s: string, what: string) => {
      if (!/^\d+$/.test(s)) throw new WorkloadError(`workload part ${i + 1} '${part}': ${what} must be a whole number`);
      const n = Number(s);
      if (n < 1 || n > COUNT_MAX) throw new WorkloadError(`workload part ${i + 1} '${part}': ${what} must be 1..${COUNT_MAX}`);
      return n;
    };
    switch (name) {
      case 'getpid':
        return { kind: 'getpid', count: int(args, 'N') };
      case 'write': {
        const w = /^(\d+)x(\d+)$/.exec(args);
        if (!w) throw new WorkloadError(`workload part ${i + 1} '${part}': expected write:NxBYTES, e.g. write:10x64`);
        const bytes = int(w[2]!, 'BYTES');
        if (bytes > 4096) throw new WorkloadError(`workload part ${i + 1} '${part}': BYTES must be ≤ 4096`);
        return { kind: 'write', count: int(w[1]!, 'N'), bytes };
      }
      default:
        if (NOT_YET.has(name)) throw new WorkloadError(`workload part ${i + 1} '${part}': '${name}' is not modelled yet by the UML model (supported: getpid, write)`);
        throw new WorkloadError(`workload part ${i + 1} '${part}': unknown workload '${name}' (supported: getpid, write)`);
    }
  });
  return { spec: text, parts };
}

/** Where the guest's message buffer lives in its address space (mapped at start-up). */
export const GUEST_DATA = 0x00600000n;
export const GUEST_DATA_BYTES = 0x1000n;

/**
 * The guest init: each part as a counted loop of syscalls, then exit_group(0). `prelude`
 * (start_userspace's own code) comes first in the same image, so branch targets count it.
 */
export function guestProgram(arch: Arch, w: Workload, prelude: readonly Insn[] = []): Insn[] {
  const a = new Asm(arch).emit(...prelude);
  const counter = arch.name === 'x86_64' ? 'r12' : 'ebp';
  for (const p of w.parts) {
    a.mov(counter, p.count);
    const top = a.here;
    if (p.kind === 'getpid') a.sys('getpid');
    else a.sys('write', 1, GUEST_DATA, p.bytes);
    a.emit({ op: 'add', dst: counter, imm: -1n }, { op: 'jnz', reg: counter, target: top });
  }
  a.exit(0);
  return a.insns;
}

/** The bytes a `write` part prints: a recognisable line, repeated. */
export function guestMessage(): Uint8Array {
  const line = new TextEncoder().encode('ptsim guest says hello\n');
  const out = new Uint8Array(Number(GUEST_DATA_BYTES));
  for (let i = 0; i < out.length; i++) out[i] = line[i % line.length]!;
  return out;
}
