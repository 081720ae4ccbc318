// The teaching view's recordings (src/teach/): every scenario records, its steps agree with
// what the CLI prints for the same run (demo --json, script, trace --json), immer shares
// unchanged task views between steps, and the decoders and the permalink are exact.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/kernel.ts';
import { runDemo } from '../../src/cli/demo.ts';
import { traceLines } from '../../src/cli/uml-commands.ts';
import { parseScript } from '../../src/conformance/script.ts';
import { runScriptOnSimulator } from '../../src/conformance/sim-runner.ts';
import { loadProfile, validateProfile } from '../../src/cost-model/profile.ts';
import { alignRuns } from '../../src/teach/compare.ts';
import { TEACH_COST_PROFILE } from '../../src/teach/cost-profile.ts';
import { EXPLAINED } from '../../src/teach/explain.ts';
import { formatHash, parseHash } from '../../src/teach/permalink.ts';
import { HOST_SYSCALL_METHODS, recordRun } from '../../src/teach/record.ts';
import { CUSTOM_SCRIPT, CUSTOM_WORKLOAD, loadScenario, SCENARIOS } from '../../src/teach/scenarios.ts';
import { changedRegs } from '../../src/teach/task-view.ts';
import type { Recording, Step } from '../../src/teach/types.ts';
import { recordUml } from '../../src/teach/uml-run.ts';
import { decodeWaitStatus } from '../../src/teach/wait-decode.ts';
import { fixtureScript } from './helpers.ts';

const load = (id: string, mode: 'single' | 'multi' = 'single') => loadScenario({ id, mode }, fixtureScript);
const waits = (r: Recording) => r.steps.filter((s) => s.wait).map((s) => s.wait!.hex);

describe('scenarios', () => {
  it.each(SCENARIOS.map((s) => s.id))('%s records a run that ends with every simulated task gone or stopped', (id) => {
    const { recording } = load(id);
    expect(recording.steps.length).toBeGreaterThan(5);
    recording.steps.forEach((s, i) => expect(s.index).toBe(i));
    // the ledger grows: every step is one more host syscall of the caller, in ledger order
    const seqs = recording.steps.map((s) => s.call.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(Object.isFrozen(recording.steps) && Object.isFrozen(recording.steps[0])).toBe(true);
  });

  it('the demo: the same wait statuses as `ptsim demo --json`, in order', () => {
    const cli = runDemo().filter((l) => l.call.startsWith('wait4')).map((l) => l.result.split(' ')[1]);
    expect(waits(load('demo').recording)).toEqual(cli);
  });

  it.each(SCENARIOS.filter((s) => s.kind === 'script').map((s) => s.arg!))('script %s: the same wait statuses as `ptsim script`', (name) => {
    const out = runScriptOnSimulator(parseScript(fixtureScript(name)));
    const cli = out.filter((o) => o.op === 'wait' && typeof o.status === 'string').map((o) => o.status);
    const rec = load(SCENARIOS.find((s) => s.arg === name)!.id).recording;
    expect(waits(rec)).toEqual(cli);
  });

  it('UML: one step per line of `ptsim trace --json`, same seq, same stop, same guest event (both modes)', () => {
    for (const mode of ['single', 'multi'] as const) {
      const { steps, result } = recordUml('getpid:1', mode);
      const lines = traceLines(result);
      expect(steps.map((s) => s.call.seq)).toEqual(lines.map((l) => l.seq));
      expect(steps.map((s) => s.wait?.summary ?? null)).toEqual(lines.map((l) => l.stop));
      expect(steps.map((s) => s.event)).toEqual(lines.map((l) => l.guestEvent));
      expect(steps.map((s) => s.call.request)).toEqual(lines.map((l) => l.request));
    }
  });

  it('single vs multi: the savings counter ends at run.hostSyscalls single − multi; merged calls only in multi', () => {
    for (const w of ['getpid:1', 'touch:4096', 'fork:1']) {
      const s = recordUml(w, 'single');
      const m = recordUml(w, 'multi');
      const aligned = alignRuns(s.steps, m.steps);
      expect(aligned.at(-1)!.savedSoFar, w).toBe(s.result.hostSyscalls - m.result.hostSyscalls);
      // the same guest events in the same order (single ≡ multi), so every group has calls in both runs
      for (const g of aligned) expect(s.steps[g.single[0]!]!.event, w).toBe(m.steps[g.multi[0]!]!.event);
      expect(s.steps.some((x) => x.call.request === 'PTRACE_MULTI')).toBe(false);
      expect(m.steps.filter((x) => x.call.request === 'PTRACE_MULTI').length).toBeGreaterThan(2);
    }
  });

  it('pasted input: a script and a workload record; bad input names the line or part', () => {
    const script = loadScenario({ id: CUSTOM_SCRIPT, input: 'setup traceme\nchild getpid\nwait\nptrace CONT 0 0\nwait\n' }, fixtureScript);
    expect(waits(script.recording)).toEqual(['0x137f', '0x0']);
    const uml = loadScenario({ id: CUSTOM_WORKLOAD, input: 'getpid:2', mode: 'multi' }, fixtureScript);
    expect(uml.recording.mode).toBe('multi');
    expect(uml.other!.mode).toBe('single');
    expect(() => loadScenario({ id: CUSTOM_SCRIPT, input: 'setup traceme\nchild frobnicate\n' }, fixtureScript)).toThrow(/line 2/);
    expect(() => loadScenario({ id: CUSTOM_WORKLOAD, input: 'getpid:x' }, fixtureScript)).toThrow(/getpid:x/);
    expect(() => loadScenario({ id: 'nope' }, fixtureScript)).toThrow(/unknown scenario/);
  });

  it('every host call the scenarios make has an explanation with its reference section; every request a kernel source', () => {
    for (const s of SCENARIOS) {
      for (const st of load(s.id).recording.steps) {
        expect(st.explanation?.cite, `${s.id} step ${st.index}: ${st.call.text}`).toMatch(/(ptrace|ptrace-multi|uml-skas)\.md §\d|script-format\.md/);
        if (st.call.request) {
          expect(st.source, `${s.id} step ${st.index}`).toMatch(/\.c\b|ptrace_multi/);
          expect(EXPLAINED.requests).toContain(st.call.request);
        }
      }
    }
  });
});

describe('steps: registers, stops, siginfo', () => {
  const demo = load('demo').recording;
  const child = (s: Step) => Object.values(s.tasks).find((t) => t.state !== 'tracer')!;

  it('at getpid\'s syscall-enter-stop orig_rax = 39, rax = -ENOSYS and both are marked changed', () => {
    const i = demo.steps.findIndex((s) => s.wait?.summary === 'SIGTRAP|0x80');
    const s = demo.steps[i]!;
    const t = child(s);
    expect(t.state).toBe('syscall-enter-stop');
    expect(t.regs.orig_rax).toBe('0x27');
    expect(t.regs.rax).toBe('0xffffffffffffffda');
    expect(changedRegs(child(demo.steps[i - 1]!), t)).toEqual(expect.arrayContaining(['orig_rax', 'rax', 'rip']));
    expect(t.siginfo).toMatchObject({ signo: 'SIGTRAP', code: '0x85', codeName: 'SIGTRAP|0x80: syscall stop (TRACESYSGOOD)' });
    // the exit stop: rax = the pid, orig_rax unchanged
    const exit = demo.steps.slice(i + 1).find((x) => x.wait)!;
    expect(child(exit).state).toBe('syscall-exit-stop');
    expect(child(exit).regs.rax).toBe(`0x${child(exit).pid.toString(16)}`);
    expect(child(demo.steps.at(-1)!).state).toBe('reaped');
  });

  it('immer structural sharing: a step that changes no task shares the task map; unchanged tasks are the same objects', () => {
    const getregs = demo.steps.find((s) => s.call.request === 'PTRACE_GETREGS')!;
    expect(getregs.tasks).toBe(demo.steps[getregs.index - 1]!.tasks);
    const wait = demo.steps.find((s, i) => i > 0 && s.wait && s.wait.summary === 'SIGTRAP|0x80')!;
    const before = demo.steps[wait.index - 1]!;
    const tracer = Object.values(wait.tasks).find((t) => t.state === 'tracer')!;
    expect(wait.tasks[tracer.pid]).toBe(before.tasks[tracer.pid]);
    expect(wait.tasks[child(wait).pid]).not.toBe(before.tasks[child(wait).pid]);
  });

  it('the breakpoint: SIGTRAP with rip one past the int3, rip moved back, TRAP_TRACE after the single step', () => {
    const bp = load('breakpoint').recording.steps;
    const poke = bp.find((s) => s.call.request === 'PTRACE_POKETEXT')!;
    const trap = bp.find((s) => s.wait?.summary === 'SIGTRAP')!;
    expect(child(trap).siginfo).toMatchObject({ signo: 'SIGTRAP', code: '0x80', codeName: 'SI_KERNEL' }); // do_int3_user
    const bpAddr = BigInt(child(bp.find((s) => s.call.request === 'PTRACE_POKEUSER')!).regs.rip!);
    expect(BigInt(child(trap).regs.rip!)).toBe(bpAddr + 1n);
    expect(poke.index).toBeLessThan(trap.index);
    const step = bp.filter((s) => s.wait?.summary === 'SIGTRAP')[1]!;
    expect(child(step).siginfo).toMatchObject({ code: '0x2', codeName: 'TRAP_TRACE (single-step)' });
    expect(BigInt(child(step).regs.rip!)).toBeGreaterThan(bpAddr);
    expect(bp.at(-1)!.wait?.summary).toBe('exited(0)');
  });

  it('the PTRACE_MULTI tour: one equivalent batch, then D0, D1, D3, D4, D5, D6', () => {
    const verdicts = load('multi-batches').recording.steps.filter((s) => s.verdict).map((s) => s.verdict!);
    expect(verdicts[0]).toMatchObject({ equivalent: true, divergences: [], saved: 2 });
    expect(verdicts.slice(1).every((v) => !v.equivalent)).toBe(true);
    expect(verdicts.flatMap((v) => v.divergences.map((d) => d.slice(0, 2))).sort()).toEqual(['D0', 'D1', 'D3', 'D4', 'D5', 'D6']);
  });

  it('prices come from the cost model; the total is the sum of the priced calls', () => {
    const last = demo.steps.at(-1)!;
    const sum = demo.steps.reduce((n, s) => n + s.call.priceNs + s.during.reduce((m, d) => m + d.priceNs, 0), 0);
    expect(last.totalNs).toBeCloseTo(sum, 6);
    expect(demo.steps.find((s) => s.call.request === 'PTRACE_SYSCALL')!.call.priceNs).toBeGreaterThan(demo.steps.find((s) => s.call.request === 'PTRACE_GETREGS')!.call.priceNs);
    expect(validateProfile(TEACH_COST_PROFILE)).toEqual(loadProfile('calibrated-local'));
  });

  it('recording is deterministic and leaves the Kernel driver as it was, even when the run throws', () => {
    const proto = Kernel.prototype as unknown as Record<string, unknown>;
    const before = HOST_SYSCALL_METHODS.map((m) => proto[m]);
    expect(JSON.stringify(load('fork-events').recording)).toBe(JSON.stringify(load('fork-events').recording));
    expect(() => recordRun(() => { throw new Error('boom'); }, TEACH_COST_PROFILE)).toThrow('boom');
    expect(HOST_SYSCALL_METHODS.map((m) => proto[m])).toEqual(before);
  });
});

describe('si_code names', () => {
  it('a fork event stop, a tgkill, a fault', () => {
    const fork = load('fork-events').recording.steps.find((s) => s.wait?.summary === 'SIGTRAP|PTRACE_EVENT_FORK<<8')!;
    expect(fork.tasks[fork.target!]!.siginfo).toMatchObject({ code: '0x105', codeName: 'SIGTRAP | PTRACE_EVENT_FORK<<8' });
    const stop = load('demo').recording.steps.find((s) => s.wait?.summary === 'SIGSTOP')!;
    expect(stop.tasks[stop.target!]!.siginfo).toMatchObject({ code: '0xfffffffa (-6)', codeName: 'SI_TKILL (tgkill)' });
    const fault = load('uml-fault').recording.steps.find((s) => s.wait?.summary === 'SIGSEGV')!;
    expect(fault.tasks[fault.target!]!.siginfo?.codeName).toMatch(/^SEGV_(MAPERR|ACCERR)/);
  });
});

describe('wait status decode (ptrace.md §4)', () => {
  it.each([
    [0x857f, 'SIGTRAP|0x80', 'WSTOPSIG', '133 (not SIGTRAP: 133 = SIGTRAP|0x80)'],
    [0x137f, 'SIGSTOP', 'WSTOPSIG', '19 (SIGSTOP)'],
    [0x80137f, 'SIGSTOP|PTRACE_EVENT_STOP<<8', 'status >> 16', '128 (PTRACE_EVENT_STOP)'],
    [0x1057f, 'SIGTRAP|PTRACE_EVENT_FORK<<8', 'status >> 16', '1 (PTRACE_EVENT_FORK)'],
    [0x0700, 'exited(7)', 'WEXITSTATUS', '7'],
    [0x9, 'killed(SIGKILL)', 'WTERMSIG', '9 (SIGKILL)'],
  ])('%s → %s', (status, summary, macro, value) => {
    const d = decodeWaitStatus(status);
    expect(d.summary).toBe(summary);
    expect(d.macros.find((m) => m.name === macro)?.value).toBe(value);
    expect(parseInt(d.binary, 2)).toBe(status);
    expect(d.fields.map((f) => f.bits)).toEqual(['16-31', '8-15', '7', '0-6']);
  });

  it('continued is the whole word 0xffff', () => {
    expect(decodeWaitStatus(0xffff)).toMatchObject({ summary: 'continued', macros: [{ name: 'WIFCONTINUED', value: 'true' }] });
  });
});

describe('permalink', () => {
  it('round-trips scenario, mode, step and pasted input (any text)', () => {
    fc.assert(fc.property(fc.constantFrom(...SCENARIOS.map((s) => s.id), CUSTOM_SCRIPT), fc.constantFrom('single' as const, 'multi' as const), fc.nat(5000), fc.option(fc.string(), { nil: null }), (scenario, mode, step, input) => {
      const v = { scenario, mode, step, input };
      expect(parseHash(formatHash(v))).toEqual(v);
    }));
  });

  it('a bad or missing fragment falls back to the demo at step 0', () => {
    expect(parseHash('')).toEqual({ scenario: 'demo', mode: 'single', step: 0, input: null });
    expect(parseHash('#s=listen&step=-3&m=bogus')).toEqual({ scenario: 'listen', mode: 'single', step: 0, input: null });
  });
});
