// Each legality rule (src/cost-model/legality.ts RULES) has a named test: what it splits,
// checked under the `full` policy (every legal run merges).
import { describe, expect, it } from 'vitest';
import { RULES, RunSplitter } from '../../src/cost-model/legality.ts';
import { eventsFromText } from '../../src/cost-model/ledger-from-strace.ts';
import { FULL, groupRun, validatePolicy } from '../../src/cost-model/policy.ts';

/** Batches (as request-name lists) the full policy makes of a log. */
function batches(...lines: string[]): string[][] {
  const s = new RunSplitter();
  const runs = [];
  for (const ev of eventsFromText(lines.join('\n'))) {
    if (ev.kind === 'call') runs.push(...s.call(ev.call));
    else runs.push(...s.interrupt(ev.pid));
  }
  runs.push(...s.finish());
  const full = validatePolicy(FULL);
  return runs.flatMap((r) => groupRun(r.calls, full)).filter((g) => g[0]!.entry.ptrace).map((g) => g.map((c) => c.entry.ptrace!.requestName.replace('PTRACE_', '')));
}

const SETREGS = (pid = 9, who = '') => `${who}ptrace(PTRACE_SETREGS, ${pid}, {rax=0}) = 0`;
const GETREGS = (pid = 9, who = '') => `${who}ptrace(PTRACE_GETREGS, ${pid}, {rax=0}) = 0`;
const SETREGSET = (pid = 9, who = '') => `${who}ptrace(PTRACE_SETREGSET, ${pid}, NT_X86_XSTATE, {iov_base=0x1, iov_len=2696 => 2432}) = 0`;
const CONT = (pid = 9, who = '') => `${who}ptrace(PTRACE_CONT, ${pid}, NULL, 0) = 0`;

describe('legality rules', () => {
  it('every rule is documented', () => {
    expect(Object.keys(RULES)).toEqual(['R1-same-caller', 'R2-same-tracee', 'R3-no-syscall-between', 'R4-resume-ends-batch', 'R5-write-after-read', 'R6-failure-ends-batch', 'R7-standalone-only', 'R8-signal-or-exit-ends']);
  });
  it('baseline: SETREGS, SETREGSET, CONT on one tracee is one batch', () => {
    expect(batches(SETREGS(), SETREGSET(), CONT())).toEqual([['SETREGS', 'SETREGSET', 'CONT']]);
  });
  it('R1-same-caller: interleaved callers keep separate runs', () => {
    expect(batches(SETREGS(9, '100 '), SETREGS(9, '200 '), CONT(9, '100 '), CONT(9, '200 '))).toEqual([['SETREGS', 'CONT'], ['SETREGS', 'CONT']]);
  });
  it('R2-same-tracee: a request on another tracee ends the run', () => {
    expect(batches(SETREGS(9), SETREGS(10), CONT(10))).toEqual([['SETREGS'], ['SETREGS', 'CONT']]);
  });
  it('R3-no-syscall-between: wait4 or any other syscall ends the run', () => {
    expect(batches(SETREGS(), 'getpid() = 5', CONT())).toEqual([['SETREGS'], ['CONT']]);
    expect(batches(GETREGS(), 'wait4(9, NULL, __WALL, NULL) = 9', GETREGS())).toEqual([['GETREGS'], ['GETREGS']]);
  });
  it('R4-resume-ends-batch: nothing follows a resume in the same batch', () => {
    expect(batches(CONT(), GETREGS())).toEqual([['CONT'], ['GETREGS']]);
    expect(batches('ptrace(PTRACE_DETACH, 9, NULL, 0) = 0', GETREGS())).toEqual([['DETACH'], ['GETREGS']]);
  });
  it('R5-write-after-read: a write or resume after a read starts a new batch; reads after writes do not', () => {
    expect(batches(GETREGS(), 'ptrace(PTRACE_GETSIGINFO, 9, NULL, {si_signo=SIGSEGV}) = 0', SETREGS(), CONT())).toEqual([['GETREGS', 'GETSIGINFO'], ['SETREGS', 'CONT']]);
    expect(batches('ptrace(PTRACE_PEEKUSER, 9, 8*ORIG_RAX, [0x27]) = 0', 'ptrace(PTRACE_POKEUSER, 9, 8*ORIG_RAX, 0x6e) = 0')).toEqual([['PEEKUSER'], ['POKEUSER']]);
    expect(batches(GETREGS(), CONT())).toEqual([['GETREGS'], ['CONT']]);
    expect(batches(SETREGS(), GETREGS())).toEqual([['SETREGS', 'GETREGS']]);
    expect(batches('ptrace(PTRACE_ARCH_PRCTL, 9, 0x4b1380, 0x1002) = 0', GETREGS())).toEqual([['ARCH_PRCTL', 'GETREGS']]);
  });
  it('R6-failure-ends-batch: a failed request is the last of its batch', () => {
    expect(batches(SETREGS(), 'ptrace(PTRACE_SETREGSET, 9, NT_X86_XSTATE, 0x1) = -1 EFAULT (Bad address)', SETREGS())).toEqual([['SETREGS', 'SETREGSET'], ['SETREGS']]);
  });
  it('R7-standalone-only: KILL, ATTACH, SEIZE, INTERRUPT, LISTEN, TRACEME, MULTI never join a batch', () => {
    expect(batches(SETREGS(), 'ptrace(PTRACE_KILL, 9) = 0', CONT())).toEqual([['SETREGS'], ['KILL'], ['CONT']]);
    expect(batches('ptrace(PTRACE_INTERRUPT, 9, NULL, 0) = 0', 'ptrace(PTRACE_LISTEN, 9, NULL, 0) = 0')).toEqual([['INTERRUPT'], ['LISTEN']]);
  });
  it('R8-signal-or-exit-ends: a signal delivered to the caller ends its run', () => {
    expect(batches(SETREGS(), '--- SIGALRM {si_signo=SIGALRM, si_code=SI_TIMER} ---', CONT())).toEqual([['SETREGS'], ['CONT']]);
    expect(batches(SETREGS(9, '5 '), '6 --- SIGALRM {si_signo=SIGALRM} ---', CONT(9, '5 '))).toEqual([['SETREGS', 'CONT']]);
  });
});
