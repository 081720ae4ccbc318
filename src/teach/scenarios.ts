// The teaching view's scenarios: which simulator run each one records. Conformance scripts
// are the recorded fixtures in test/fixtures/kernel/ (their text is handed in by the caller:
// the web bundle imports them, Node reads the files), so the view shows exactly what
// `ptsim script` runs and the real kernel was checked against.
import { runDemo } from '../cli/demo.ts';
import { parseScript } from '../conformance/script.ts';
import { runScriptOnSimulator } from '../conformance/sim-runner.ts';
import type { Mode } from '../uml/host.ts';
import { lessonVerdict, LESSONS, runBatchTour } from './batch-tour.ts';
import { runBreakpoint } from './breakpoint.ts';
import { TEACH_COST_PROFILE } from './cost-profile.ts';
import { annotateSteps, recordRun } from './record.ts';
import type { Recording, Step } from './types.ts';
import { recordUml } from './uml-run.ts';

export type ScenarioKind = 'demo' | 'script' | 'breakpoint' | 'batch' | 'uml';

export interface Scenario {
  readonly id: string;
  readonly title: string;
  readonly group: string;
  readonly kind: ScenarioKind;
  /** script: the fixture name (test/fixtures/kernel/NAME.script); uml: the workload spec. */
  readonly arg?: string;
  readonly blurb: string;
}

export const SCENARIOS: readonly Scenario[] = [
  { id: 'demo', title: 'Tracer demo: TRACEME, TRACESYSGOOD syscall stops', group: 'ptrace', kind: 'demo', blurb: 'ptsim demo: the child calls TRACEME and stops itself with SIGSTOP; the tracer sets TRACESYSGOOD and follows getpid, getppid, write and exit_group through their syscall-enter and -exit stops (0x857f).' },
  { id: 'syscall-stops-plain', title: 'Syscall stops without TRACESYSGOOD', group: 'ptrace', kind: 'script', arg: 'syscall-stops-plain', blurb: 'Without TRACESYSGOOD a syscall stop reports plain SIGTRAP (0x57f), the same as a real SIGTRAP; orig_rax and rax tell entry from exit.' },
  { id: 'signal-substitute', title: 'Signal-delivery-stop: injection', group: 'signals', kind: 'script', arg: 'signal-substitute', blurb: 'The child raises SIGUSR1; at its delivery stop the tracer resumes with SIGUSR2 instead, and the child is killed by SIGUSR2.' },
  { id: 'signal-suppress', title: 'Signal-delivery-stop: suppression', group: 'signals', kind: 'script', arg: 'signal-suppress', blurb: 'Resuming a signal-delivery-stop with data 0 discards the signal.' },
  { id: 'group-stop-seize', title: 'Group-stop of a SEIZEd tracee', group: 'group-stop', kind: 'script', arg: 'group-stop-seize', blurb: 'SEIZE without a stop, kill(SIGSTOP): the delivery stop 0x137f, then re-injected the group-stop 0x80137f (PTRACE_EVENT_STOP) where GETSIGINFO works.' },
  { id: 'interrupt-seized', title: 'PTRACE_INTERRUPT', group: 'group-stop', kind: 'script', arg: 'interrupt-seized', blurb: 'INTERRUPT stops a running seized tracee with PTRACE_EVENT_STOP (0x80057f).' },
  { id: 'listen', title: 'PTRACE_LISTEN in a group-stop', group: 'group-stop', kind: 'script', arg: 'listen', blurb: 'LISTEN leaves the tracee group-stopped but out of the ptrace-stop; SIGCONT wakes it into PTRACE_EVENT_STOP.' },
  { id: 'fork-events', title: 'Fork and exit events', group: 'events', kind: 'script', arg: 'fork-events', blurb: 'TRACEFORK|TRACEEXIT: the fork event stop (0x1057f) with the new pid as event message, the auto-attached grandchild, exit events (0x6057f).' },
  { id: 'exec-traceexec', title: 'Exec event', group: 'events', kind: 'script', arg: 'exec-traceexec', blurb: 'TRACEEXEC: a successful execve reports PTRACE_EVENT_EXEC (0x4057f).' },
  { id: 'breakpoint', title: 'Breakpoint: POKETEXT int3, SIGTRAP, restore, SINGLESTEP', group: 'debugger', kind: 'breakpoint', blurb: 'PEEKTEXT the instruction, POKETEXT 0xcc over it, CONT into the SIGTRAP (rip one past the int3), restore the word, move rip back with POKEUSER, SINGLESTEP over it, CONT to the exit.' },
  { id: 'sysemu-basic', title: 'PTRACE_SYSEMU', group: 'debugger', kind: 'script', arg: 'sysemu-basic', blurb: 'SYSEMU stops at each syscall entry and skips the call; the tracer writes rax (777, 888, 999) and there is no exit stop — how UML runs its guest.' },
  { id: 'multi-batches', title: 'PTRACE_MULTI batches and divergences D0–D6', group: 'PTRACE_MULTI', kind: 'batch', blurb: 'One equivalent batch (UML\'s GETREGS, SETREGS, resume-last), then one batch per documented divergence from issuing the same requests one by one.' },
  { id: 'uml-getpid', title: 'UML: one guest getpid', group: 'UML', kind: 'uml', arg: 'getpid:1', blurb: 'UML 6.1\'s host side running a guest that calls getpid once: start-up probes, start_userspace, the first fault, the SYSEMU round trip of getpid (6 host calls single, 3 multi).' },
  { id: 'uml-fault', title: 'UML: a page fault', group: 'UML', kind: 'uml', arg: 'touch:4096', blurb: 'A guest touches a fresh page: SIGSEGV at the host, UML reads the fault address and maps the page through its stub.' },
  { id: 'uml-fork', title: 'UML: a guest fork', group: 'UML', kind: 'uml', arg: 'fork:1', blurb: 'A guest fork: copy_context_skas0 creates the host process of the new address space, then the child runs and exits, the parent waits.' },
];

export const CUSTOM_SCRIPT = 'custom-script';
export const CUSTOM_WORKLOAD = 'custom-workload';

export interface LoadRequest {
  readonly id: string;
  readonly mode?: Mode;
  /** custom-script: the script text; custom-workload: the workload spec. */
  readonly input?: string;
}

export interface LoadedScenario {
  readonly recording: Recording;
  /** UML: the other mode's recording (the single vs multi panel). */
  readonly other: Recording | null;
}

export function scenarioById(id: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.id === id);
}

function simple(id: string, title: string, fn: () => unknown): Recording {
  const { steps } = recordRun(fn, TEACH_COST_PROFILE);
  return { id, title, steps, costProfile: TEACH_COST_PROFILE.name };
}

function batchRecording(s: Scenario): Recording {
  const { steps } = recordRun(() => runBatchTour(), TEACH_COST_PROFILE);
  const verdicts = LESSONS.map((_, i) => lessonVerdict(i));
  let n = 0;
  const multiIndex = new Map<number, number>();
  for (const st of steps) if (st.call.request === 'PTRACE_MULTI') multiIndex.set(st.index, n++);
  const annotated = annotateSteps(steps, (st: Step) => (multiIndex.has(st.index) ? { verdict: verdicts[multiIndex.get(st.index)!]! } : {}));
  return { id: s.id, title: s.title, steps: annotated, costProfile: TEACH_COST_PROFILE.name };
}

function umlPair(id: string, title: string, workload: string, mode: Mode): LoadedScenario {
  const other: Mode = mode === 'single' ? 'multi' : 'single';
  const a = recordUml(workload, mode);
  const b = recordUml(workload, other);
  const rec = (m: Mode, steps: readonly Step[]): Recording => ({ id, title: `${title} (${m})`, steps, costProfile: TEACH_COST_PROFILE.name, mode: m });
  return { recording: rec(mode, a.steps), other: rec(other, b.steps) };
}

/**
 * Record a scenario. `scriptText(name)` returns a fixture script's text. Bad custom input
 * throws ScriptError / WorkloadError with the line or part at fault (the view shows it).
 */
export function loadScenario(req: LoadRequest, scriptText: (name: string) => string): LoadedScenario {
  const mode = req.mode ?? 'single';
  if (req.id === CUSTOM_SCRIPT) {
    const script = parseScript(req.input ?? '');
    return { recording: simple(req.id, 'Your conformance script', () => runScriptOnSimulator(script)), other: null };
  }
  if (req.id === CUSTOM_WORKLOAD) return umlPair(req.id, `UML: workload ${req.input ?? ''}`, req.input ?? '', mode);
  const s = scenarioById(req.id);
  if (!s) throw new Error(`unknown scenario '${req.id}'`);
  switch (s.kind) {
    case 'demo':
      return { recording: simple(s.id, s.title, () => runDemo()), other: null };
    case 'breakpoint':
      return { recording: simple(s.id, s.title, () => runBreakpoint()), other: null };
    case 'batch':
      return { recording: batchRecording(s), other: null };
    case 'script': {
      const script = parseScript(scriptText(s.arg!));
      return { recording: simple(s.id, s.title, () => runScriptOnSimulator(script)), other: null };
    }
    case 'uml':
      return umlPair(s.id, s.title, s.arg!, mode);
  }
}
