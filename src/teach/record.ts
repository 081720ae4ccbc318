// Recording a simulator run for the teaching view: after every host syscall an external
// task makes through the Kernel driver (ptrace, wait4, fork, kill, …), copy out a plain view
// of every task, the call's ledger entry with its price, the wait status decoded, the request's
// source and explanation — one Step. Steps are built with immer: each step's task map is
// `produce(previous, …)` so unchanged tasks are shared with the previous step (structural
// sharing), and the step list grows by one `produce` per step; step-back is an index into it.
//
// How calls are observed: the scenario's code (runDemo, runScriptOnSimulator, runUml, …)
// creates its own Kernel, so while `recordRun` runs, the driver's public syscall methods are
// wrapped on Kernel.prototype (restored afterwards, even on error). Only the first Kernel
// instance seen is recorded; nested calls count once. Deterministic: no clock, no randomness.
import { castDraft, produce } from 'immer';
import { Kernel } from '../kernel/kernel.ts';
import { freshBoots } from '../uml/boot-cache.ts';
import type { LedgerEntry } from '../kernel/ledger.ts';
import { lookupRequest } from '../ptrace/request-table.ts';
import type { CostProfile } from '../cost-model/profile.ts';
import { explainCall } from './explain.ts';
import { ledgerRow } from './ledger-row.ts';
import { reapedView, taskView } from './task-view.ts';
import type { Step, TaskView } from './types.ts';
import { decodeWaitStatus } from './wait-decode.ts';

/** The Kernel driver's host syscalls of external tasks (src/kernel/kernel.ts); the first argument is the caller. */
export const HOST_SYSCALL_METHODS = ['ptrace', 'forkChild', 'kill', 'tgkill', 'mmap', 'munmap', 'mprotect', 'getpid', 'wait4', 'sleep', 'getitimer', 'setitimer', 'timerSettime', 'recordFileCall'] as const;

export interface RecordResult<T> {
  readonly value: T;
  readonly steps: readonly Step[];
  readonly kernel: Kernel | null;
}

/** Requests of never-merged patches, not in the request table (src/ptrace/multi.ts, ptrace-vm.ts). */
const PATCH_SOURCE: Record<string, { source: string; support: string }> = {
  PTRACE_MULTI: { source: 'view-os patch-linux-2.6.26-rc6-ptrace_multi: multi_ptrace (never merged)', support: 'patch model, src/ptrace/multi.ts' },
};

type Tasks = Readonly<Record<number, TaskView>>;

interface Acc {
  readonly tasks: Tasks;
  readonly steps: readonly Step[];
  readonly callsSoFar: number;
  readonly totalNs: number;
}

const EMPTY: Acc = produce({ tasks: {}, steps: [], callsSoFar: 0, totalNs: 0 } as Acc, () => {});

function sameView(a: TaskView | undefined, b: TaskView): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/** The next task map: only tasks whose view changed are replaced (immer keeps the rest). */
function nextTasks(prev: Tasks, k: Kernel): Tasks {
  const arch = k.arch;
  return produce(prev, (d: Record<number, TaskView>) => {
    const live = new Set<number>();
    for (const t of Object.values(k.state.tasks)) {
      if (t.tid === 1) continue; // init: the model's reaper, not part of any scenario
      live.add(t.tid);
      const v = taskView(t, arch);
      if (!sameView(prev[t.tid], v)) d[t.tid] = v;
    }
    for (const pid of Object.keys(prev).map(Number)) {
      const old = prev[pid]!;
      if (!live.has(pid) && old.state !== 'reaped') d[pid] = reapedView(old);
    }
  });
}

function targetOf(e: LedgerEntry): number | null {
  if (e.ptrace) return e.ptrace.target;
  if (e.syscall === 'wait4') return e.ret > 0n ? Number(e.ret) : Number(BigInt.asIntN(32, e.args[0] ?? 0n));
  if (e.syscall === 'kill' || e.syscall === 'tgkill') return Number(e.args[e.syscall === 'kill' ? 0 : 1] ?? 0n);
  return null;
}

function addStep(acc: Acc, k: Kernel, caller: number, from: number, profile: CostProfile): Acc {
  const entries = k.ledger.slice(from);
  let own = -1;
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i]!.pid === caller) { own = i; break; }
  if (own < 0) return acc; // a driver call that made no host syscall
  const external = new Set(Object.values(k.state.tasks).filter((t) => t.external).map((t) => t.tid));
  external.add(caller);
  const cfg = k.state.config;
  const e = entries[own]!;
  const call = ledgerRow(e, true, profile, cfg);
  const during = entries.filter((_, i) => i !== own).map((x) => ledgerRow(x, external.has(x.pid), profile, cfg));
  const req = e.ptrace ? lookupRequest(e.ptrace.request) ?? PATCH_SOURCE[e.ptrace.requestName] : undefined;
  const tasks = nextTasks(acc.tasks, k);
  const addedNs = call.priceNs + during.reduce((n, r) => n + r.priceNs, 0);
  const addedCalls = 1 + during.filter((r) => r.external).length;
  return produce(acc, (d) => {
    d.tasks = castDraft(tasks);
    d.callsSoFar += addedCalls;
    d.totalNs += addedNs;
    d.steps.push(castDraft<Step>({
      index: acc.steps.length,
      call,
      during,
      target: targetOf(e),
      wait: e.wait?.status !== undefined && e.wait.status !== null ? decodeWaitStatus(e.wait.status) : null,
      source: req?.source ?? null,
      support: req?.support ?? null,
      explanation: explainCall(e.syscall, e.ptrace?.requestName ?? null),
      tasks,
      callsSoFar: acc.callsSoFar + addedCalls,
      totalNs: acc.totalNs + addedNs,
      event: null,
      verdict: null,
    }));
  });
}

type Method = (this: Kernel, ...args: unknown[]) => unknown;

/** Run `fn` (which drives a simulator run) and record every host syscall of the first Kernel it uses. */
export function recordRun<T>(fn: () => T, profile: CostProfile): RecordResult<T> {
  const proto = Kernel.prototype as unknown as Record<string, Method>;
  const originals = HOST_SYSCALL_METHODS.map((m) => [m, proto[m]!] as const);
  let kernel: Kernel | null = null;
  let depth = 0;
  let acc = EMPTY;
  // Ledger entries up to here belong to earlier steps; entries made by driver calls that are
  // not host syscalls (settle: the tracees run) go with the next step.
  let seen = 0;
  for (const [name, orig] of originals) {
    proto[name] = function (this: Kernel, ...args: unknown[]) {
      if (kernel !== null && kernel !== this) return orig.apply(this, args);
      kernel = this;
      depth++;
      try {
        return orig.apply(this, args);
      } finally {
        depth--;
        if (depth === 0) {
          const before = acc;
          acc = addStep(acc, this, Number(args[0]), Math.min(seen, this.ledger.length), profile);
          if (acc !== before) seen = this.ledger.length;
        }
      }
    };
  }
  let value: T;
  try {
    // Booted fresh: a UML run forked from a booted snapshot (boot-cache.ts) would start past
    // start-up, on a kernel made before the recording; every host call from the first is a step.
    value = freshBoots(fn);
  } finally {
    for (const [name, orig] of originals) proto[name] = orig;
  }
  return { value, steps: acc.steps, kernel };
}

/** Annotate steps after the run (guest events, batch verdicts): one produce over the list. */
export function annotateSteps(steps: readonly Step[], fn: (s: Step) => Partial<Pick<Step, 'event' | 'verdict'>>): readonly Step[] {
  return produce(steps, (d: Step[]) => {
    d.forEach((s, i) => Object.assign(s, fn(steps[i]!)));
  });
}
