// Cost profiles: data files in profiles/*.json. Every number carries the source it came from
// (a measurement, a derivation, or a named estimate). validateProfile refuses a number
// without a source.
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { CROSS_CLASSES, type CrossCpuRates } from './cross-cpu.ts';

export interface Sourced {
  readonly ns: number;
  readonly source: string;
}

export const COST_KEYS = [
  'syscallEntryExitNs', // every host syscall: entry + exit, whatever it does
  'ptraceDispatchNs', // sys_ptrace before the request: task lookup, ptrace_check_attach (once per call, also once per MULTI)
  'transferNsPerByte', // regsets, process_vm_readv/writev: per byte copied
  'transferNsPerWord', // PEEK/POKE TEXT/DATA: one access_process_vm of one word
  'multiSubDispatchNs', // PTRACE_MULTI: the loop's dispatch of one sub-request
  'multiEntryCopyInNs', // PTRACE_MULTI: copy_from_user of one struct ptrace_multi
  'roundTripSyscallStopNs', // resume → tracee runs to a syscall stop → wait4 returns (2 context switches)
  'roundTripSignalStopNs', // resume → tracee traps (int3/signal) → signal-delivery stop → wait4 returns
  // Host terms (host-terms.ts): host work a call's event causes outside any priced call.
  'crossCpuWakeupNs', // one wake-up of a task on the other CPU; ×2 per round trip; 0 when pinned
  'hostPageFaultNs', // per SIGSEGV stop: physmem page allocation + zeroing, the retried access (a minor fault)
  'hostProcessCreateNs', // per new host process ((OLD)SETOPTIONS): the stub's clone
  'hostProcessExitNs', // per reaped host process: exit, mm teardown, reap
  'umlSyscallStopUserNs', // per syscall stop (wait4 SIGTRAP|0x80): UML's own user time for the guest syscall trap
  'umlStubRunUserNs', // per stub run (CONT, no signal): UML's own user time queueing and checking the stub's calls
  'stubRunHostCallsNs', // per stub run (CONT, no signal): the stub's host mmap/munmap calls in the tracee
  'stubRemapFaultNs', // per stub run (CONT, no signal): the host minor faults on pages the stub re-mapped, when the tracee next touches them
] as const;

export type CostKey = (typeof COST_KEYS)[number];

/**
 * The costs that belong to UML as the tracer, not to the host: its own user time around a
 * syscall stop and a stub run, and the stub's host calls (host-terms.ts). They describe what
 * UML does between its host calls, so a log of another tracer (a debugger, strace, gVisor's
 * ptrace platform, a sandbox) must not be charged them: `whatif --tracer other`.
 */
export const UML_TRACER_TERMS: readonly CostKey[] = ['umlSyscallStopUserNs', 'umlStubRunUserNs', 'stubRunHostCallsNs', 'stubRemapFaultNs'];

export type Tracer = 'uml' | 'other';

/**
 * The profile for a log of `tracer`: as it is for UML; for another tracer, UML_TRACER_TERMS at 0
 * and no crossCpuRates (they were measured on UML's host processes, cross-cpu.ts): every round
 * trip then has its two wake-ups, as the calibrator's own tracer and tracee.
 */
export function forTracer(p: CostProfile, tracer: Tracer): CostProfile {
  if (tracer === 'uml') return p;
  const costs = { ...p.costs };
  for (const k of UML_TRACER_TERMS) costs[k] = { ns: 0, source: `0: the log's tracer is not UML (--tracer other); for UML: ${p.costs[k].ns} ns, ${p.costs[k].source}` };
  return { ...p, name: `${p.name}, tracer other`, costs, crossCpuRates: null };
}

export interface CostProfile {
  readonly name: string;
  readonly description: string;
  readonly arch: string;
  readonly wordBytes: number;
  /** sizeof(struct ptrace_multi) on this arch (ptrace-multi.md §1: i386 16, x86_64 32). */
  readonly multiEntryBytes: number;
  readonly notes: readonly string[];
  readonly costs: Readonly<Record<CostKey, Sourced>>;
  /** Work of a request (by ptrace request name) or a syscall (by name) beyond entry/exit and dispatch; `default` for unlisted ptrace requests. */
  readonly requestNs: Readonly<Record<string, Sourced>>;
  /**
   * P(a round trip's wake-ups cross CPUs | class of the host process resumed), measured on UML
   * (cross-cpu.ts); absent or null: every round trip crosses (2 × crossCpuWakeupNs each).
   */
  readonly crossCpuRates?: CrossCpuRates | null;
  /** Arches without GETREGS/SETREGS: registers move one PEEKUSER/POKEUSER word at a time. */
  readonly registerMoves: null | { readonly getWords: number; readonly setWords: number; readonly regsetWords: number; readonly source: string };
}

export class ProfileError extends Error {}

function sourced(v: unknown, path: string, problems: string[]): void {
  const o = v as Record<string, unknown> | null;
  // A profile written before a cost was added lacks it: say which, and how to get a current one.
  if (o === undefined) return void problems.push(`${path}: missing (a profile from an older ptsim? \`bash scripts/calibrate.sh\` writes every cost; or add { "ns": number, "source": string })`);
  if (typeof o !== 'object' || o === null) return void problems.push(`${path}: expected { "ns": number, "source": string }`);
  if (typeof o.ns !== 'number' || !Number.isFinite(o.ns) || o.ns < 0) problems.push(`${path}.ns: expected a number ≥ 0`);
  if (typeof o.source !== 'string' || o.source.trim() === '') problems.push(`${path}.source: every number must name its source`);
}

export function validateProfile(v: unknown): CostProfile {
  const problems: string[] = [];
  const o = v as Record<string, unknown>;
  if (typeof o !== 'object' || o === null) throw new ProfileError('profile: expected a JSON object');
  for (const k of ['name', 'description', 'arch']) if (typeof o[k] !== 'string') problems.push(`profile.${k}: expected a string`);
  for (const k of ['wordBytes', 'multiEntryBytes']) if (typeof o[k] !== 'number' || (o[k] as number) <= 0) problems.push(`profile.${k}: expected a positive number`);
  if (!Array.isArray(o.notes)) problems.push('profile.notes: expected an array of strings');
  const costs = (o.costs ?? {}) as Record<string, unknown>;
  for (const k of COST_KEYS) sourced(costs[k], `profile.costs.${k}`, problems);
  for (const k of Object.keys(costs)) if (!(COST_KEYS as readonly string[]).includes(k)) problems.push(`profile.costs.${k}: unknown cost`);
  const req = (o.requestNs ?? null) as Record<string, unknown> | null;
  if (typeof req !== 'object' || req === null) problems.push('profile.requestNs: expected an object');
  else {
    if (!('default' in req)) problems.push('profile.requestNs.default: missing');
    for (const [k, x] of Object.entries(req)) sourced(x, `profile.requestNs.${k}`, problems);
  }
  const cr = o.crossCpuRates as Record<string, unknown> | null | undefined;
  if (cr !== undefined && cr !== null) {
    if (typeof cr !== 'object') problems.push('profile.crossCpuRates: expected null or { first, parent, created }');
    else {
      for (const k of CROSS_CLASSES) {
        const f = cr[k] as Record<string, unknown> | undefined;
        if (typeof f !== 'object' || f === null) problems.push(`profile.crossCpuRates.${k}: expected { "fraction": number, "source": string }`);
        else {
          if (typeof f.fraction !== 'number' || !(f.fraction >= 0 && f.fraction <= 1)) problems.push(`profile.crossCpuRates.${k}.fraction: expected a number from 0 to 1`);
          if (typeof f.source !== 'string' || f.source.trim() === '') problems.push(`profile.crossCpuRates.${k}.source: every number must name its source`);
        }
      }
      for (const k of Object.keys(cr)) if (!(CROSS_CLASSES as readonly string[]).includes(k)) problems.push(`profile.crossCpuRates.${k}: unknown class`);
    }
  }
  const rm = o.registerMoves as Record<string, unknown> | null | undefined;
  if (rm === undefined) problems.push('profile.registerMoves: expected null or { getWords, setWords, regsetWords, source }');
  else if (rm !== null) {
    for (const k of ['getWords', 'setWords', 'regsetWords']) if (typeof rm[k] !== 'number' || !Number.isInteger(rm[k]) || (rm[k] as number) < 1) problems.push(`profile.registerMoves.${k}: expected a positive integer`);
    if (typeof rm.source !== 'string' || rm.source.trim() === '') problems.push('profile.registerMoves.source: every number must name its source');
  }
  if (problems.length) throw new ProfileError(problems.join('; '));
  return o as unknown as CostProfile;
}

export const PROFILE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'profiles');

/** A built-in profile name (`i386-2008`) or a JSON file path. */
export function loadProfile(nameOrPath: string): CostProfile {
  const builtin = join(PROFILE_DIR, `${nameOrPath}.json`);
  const path = /^[\w.-]+$/.test(nameOrPath) && existsSync(builtin) ? builtin : nameOrPath;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ProfileError(`cannot read cost profile "${nameOrPath}" (${(e as NodeJS.ErrnoException).code ?? 'error'}); built-in: ${builtinProfiles().join(', ')}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ProfileError(`${path}: not JSON (${(e as Error).message})`);
  }
  return validateProfile(json);
}

export function builtinProfiles(): string[] {
  return ['calibrated-local', 'calibrated-unpinned', 'i386-2008', 'ppc32'].filter((n) => existsSync(join(PROFILE_DIR, `${n}.json`)));
}
