// Each host term is charged on exactly the ledger events it names and nowhere else, the same
// way in every pricing path: price() (run/compare/report/teach and the reference what-if) and
// the fast what-if (whatif-file.ts → whatif-tally.ts), before and after batching. The check
// prices random logs of real UML strace lines with a profile in which only the term under test
// is 1 ns (everything else 0), so each path's host work must equal the number of named events,
// counted here from the line texts alone.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COST_KEYS, loadProfile, type CostProfile } from '../../src/cost-model/profile.ts';
import { price } from '../../src/cost-model/price.ts';
import { FULL, SEED, validatePolicy } from '../../src/cost-model/policy.ts';
import { LineSplitter } from '../../src/cost-model/strace/scan.ts';
import { WhatIfReader } from '../../src/cost-model/whatif-file.ts';
import { whatIf, type WhatIfResult } from '../../src/cost-model/whatif.ts';
import { calls, readLog, referenceEvents, UML } from './helpers.ts';

/** calibrated-local with every cost and request price 0 but `term`, which is 1 ns. */
function only(term: (typeof COST_KEYS)[number]): CostProfile {
  const p = loadProfile('calibrated-local');
  const costs = Object.fromEntries(COST_KEYS.map((k) => [k, { ns: k === term ? 1 : 0, source: 'test' }]));
  const requestNs = Object.fromEntries(Object.keys(p.requestNs).map((k) => [k, { ns: 0, source: 'test' }]));
  return { ...p, costs: costs as CostProfile['costs'], requestNs };
}

const POOL = [...new Set(['glibc-fork-exit', 'glibc-fork-exec', 'page-fault', 'guest-syscall', 'timer-tick-kill'].flatMap((f) => readLog(`${UML}${f}.strace`).split('\n')))]
  .filter((l) => /^(ptrace|wait4|kill|write)\(/.test(l));
const EXTRA = [
  'ptrace(PTRACE_CONT, 9, NULL, 0) = 0',
  'ptrace(PTRACE_CONT, 9, NULL, NULL) = 0',
  'ptrace(PTRACE_CONT, 9, NULL, SIGSEGV) = 0',
  'ptrace(PTRACE_CONT, 9, NULL, 0) = -1 ESRCH (No such process)',
  'ptrace(PTRACE_SYSCALL, 9, NULL, 0) = 0',
  'wait4(9, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGTRAP | 0x80}], WSTOPPED|__WALL, NULL) = 9',
  'wait4(9, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGTRAP | 0x80}], WSTOPPED|__WALL, NULL) = -1 ECHILD (No child processes)',
  'wait4(9, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGTRAP}], WSTOPPED|__WALL, NULL) = 9',
  'wait4(9, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], __WALL, NULL) = 9',
  'wait4(9, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}], __WALL, NULL) = 9',
  'wait4(9, NULL, __WALL, NULL) = -1 ECHILD (No child processes)',
];

/** The events each term names, counted from the line texts (strace's own spelling). */
const NAMED: Readonly<Partial<Record<(typeof COST_KEYS)[number], (line: string) => boolean>>> = {
  umlSyscallStopUserNs: (l) => /^wait4\(.*WSTOPSIG\(s\) == SIGTRAP \| 0x80\}\].*\)\s*= [1-9]\d*$/.test(l),
  umlStubRunUserNs: (l) => /^ptrace\(PTRACE_CONT, \d+, [^,]+, (0|NULL)\)\s*= 0$/.test(l),
  stubRunHostCallsNs: (l) => /^ptrace\(PTRACE_CONT, \d+, [^,]+, (0|NULL)\)\s*= 0$/.test(l),
  stubRemapFaultNs: (l) => /^ptrace\(PTRACE_CONT, \d+, [^,]+, (0|NULL)\)\s*= 0$/.test(l),
  hostPageFaultNs: (l) => /^wait4\(.*WSTOPSIG\(s\) == SIGSEGV\}\].*\)\s*= [1-9]\d*$/.test(l),
  hostProcessCreateNs: (l) => /^ptrace\(PTRACE_(OLD)?SETOPTIONS, .*\)\s*= 0$/.test(l),
  // a reaping wait4: a NULL status with a pid (UML's destroy_context), or an exit or kill reported
  hostProcessExitNs: (l) => /^wait4\(\d+, (NULL|\[\{WIFEXITED|\[\{WIFSIGNALED).*\)\s*= [1-9]\d*$/.test(l),
};

function hostWork(res: WhatIfResult, side: 'before' | 'after'): number {
  let n = 0;
  for (const t of res.processes.values()) n += t[side].breakdown.hostWorkNs;
  return n;
}

function fastResult(text: string, policy: ReturnType<typeof validatePolicy>, profile: CostProfile): WhatIfResult {
  const r = new WhatIfReader(policy, profile, {});
  const split = new LineSplitter((buf, s, e, line) => r.line(buf, s, e, line));
  split.push(Buffer.from(text));
  split.end();
  return r.finish().result;
}

describe('host terms are charged on exactly the events they name, in every pricing path', () => {
  const policies = [validatePolicy(SEED), validatePolicy(FULL)];
  for (const [term, named] of Object.entries(NAMED) as [(typeof COST_KEYS)[number], (l: string) => boolean][]) {
    it(`${term}: price(), the reference what-if and the fast what-if, before and after batching`, async () => {
      const profile = only(term);
      await fc.assert(
        fc.asyncProperty(fc.array(fc.constantFrom(...POOL, ...EXTRA), { minLength: 1, maxLength: 60 }), fc.nat({ max: 1 }), async (lines, pol) => {
          const want = lines.filter(named).length;
          const cs = calls(...lines);
          expect(cs.reduce((n, c) => n + price(c.entry, profile, [c.transferBytes]).hostWorkNs, 0)).toBe(want);
          const text = `${lines.join('\n')}\n`;
          const ref = await whatIf(referenceEvents(text, false).events, policies[pol]!, profile);
          const fast = fastResult(text, policies[pol]!, profile);
          for (const side of ['before', 'after'] as const) {
            expect(hostWork(ref, side)).toBe(want);
            expect(hostWork(fast, side)).toBe(want);
          }
        }),
        { numRuns: 150 },
      );
    });
  }

  it('the pool holds every named event (the property is not vacuous)', () => {
    for (const [term, named] of Object.entries(NAMED)) expect(POOL.filter(named!).length, term).toBeGreaterThan(0);
  });
});
