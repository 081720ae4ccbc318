import { test } from 'vitest';
import { traceLines } from '../../src/cli/uml-commands.ts';
import { runUml } from '../../src/uml/machine.ts';
import { SEED_POLICY } from '../../src/uml/policy.ts';
import { PROFILES } from '../../src/uml/profile.ts';
import { parseWorkload } from '../../src/uml/workload.ts';
import { eventTokens, opTotals, realCalls, simCalls } from '../../test/uml/host-seq.ts';
test('x', () => {
  for (const [w, fix, first] of [['fork:1', 'glibc-fork-exit.strace', 'syscall:clone'], ['exec:1', 'glibc-fork-exec.strace', 'syscall:clone']]) {
    const r = runUml({ profile: PROFILES['uml-6.1'], mode: 'single', policy: SEED_POLICY, workload: parseWorkload(w), keepTrace: true });
    const lines = traceLines(r);
    const from = lines.findIndex((l) => l.guestEvent === first);
    const to = lines.findIndex((l) => l.guestEvent === 'exit:1');
    const sim = simCalls(lines.slice(from - 0, to));
    const real = realCalls(fix);
    console.log(w, '\nREAL', eventTokens(real).join(' | '), '\nSIM ', eventTokens(sim).join(' | '));
    console.log('REAL', JSON.stringify(opTotals(real)), '\nSIM ', JSON.stringify(opTotals(sim)));
  }
});
