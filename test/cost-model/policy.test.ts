// Policies as data: the seed's pairs, the full runs, validation of a policy file, and the
// arithmetic after = before − Σ (k − 1) on every real UML log.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILTIN_POLICIES, FULL, groupRun, PolicyError, SEED, validatePolicy } from '../../src/cost-model/policy.ts';
import { eventsFromText } from '../../src/cost-model/ledger-from-strace.ts';
import { loadProfile } from '../../src/cost-model/profile.ts';
import { whatIf } from '../../src/cost-model/whatif.ts';
import { countLedger } from '../../src/kernel/ledger-stats.ts';
import { calls, readLog, UML } from './helpers.ts';

const logs = readdirSync(UML).filter((f) => f.endsWith('.strace') || f.endsWith('.strace.gz'));

describe('policy arithmetic on the real UML logs', () => {
  for (const f of logs) {
    for (const name of ['seed', 'full']) {
      it(`${f} × ${name}: after = before − Σ (k − 1), before = the ledger's count`, async () => {
        const events = eventsFromText(readLog(UML + f));
        const res = await whatIf(events, validatePolicy(BUILTIN_POLICIES[name]), loadProfile('i386-2008'));
        const p = [...res.processes.values()];
        const before = p.reduce((n, x) => n + x.before.hostSyscalls, 0);
        const after = p.reduce((n, x) => n + x.after.hostSyscalls, 0);
        const ledger = events.flatMap((e) => (e.kind === 'call' ? [e.call.entry] : []));
        expect(before).toBe(countLedger(ledger).hostSyscalls);
        const sumKminus1 = Object.entries(res.batches.byLength).reduce((n, [k, c]) => n + (Number(k) - 1) * c, 0);
        expect(after).toBe(before - sumKminus1);
        if (name === 'seed') expect(Object.keys(res.batches.byLength).every((k) => k === '2')).toBe(true);
      });
    }
  }
});

describe('seed policy', () => {
  const seed = validatePolicy(SEED);
  it('merges exactly SETREGS + a resume, nothing else', () => {
    const g = groupRun(calls('ptrace(PTRACE_SETREGS, 9, {rax=0}) = 0', 'ptrace(PTRACE_SYSEMU, 9, NULL, 0) = 0'), seed);
    expect(g.map((x) => x.length)).toEqual([2]);
    const h = groupRun(calls('ptrace(PTRACE_SETREGS, 9, {rax=0}) = 0', 'ptrace(PTRACE_SETREGSET, 9, NT_X86_XSTATE, {iov_base=0x1, iov_len=1 => 1}) = 0', 'ptrace(PTRACE_SYSEMU, 9, NULL, 0) = 0'), seed);
    expect(h.map((x) => x.length)).toEqual([1, 1, 1]);
  });
  it('grouping never reorders or drops calls', () => {
    const run = calls('ptrace(PTRACE_GETREGS, 9, {rax=0}) = 0', 'ptrace(PTRACE_SETREGS, 9, {rax=0}) = 0', 'ptrace(PTRACE_CONT, 9, NULL, 0) = 0');
    for (const p of [seed, validatePolicy(FULL)]) expect(groupRun(run, p).flat()).toEqual(run);
  });
  it('maxBatch cuts long runs', () => {
    const p = validatePolicy({ ...FULL, name: 'max2', maxBatch: 2 });
    const run = calls(...Array.from({ length: 5 }, () => 'ptrace(PTRACE_PEEKUSER, 9, 8*RAX, [0x1]) = 0'));
    expect(groupRun(run, p).map((g) => g.length)).toEqual([2, 2, 1]);
  });
});

describe('policy file validation', () => {
  function problems(v: unknown): string[] {
    try {
      validatePolicy(v);
    } catch (e) {
      return (e as PolicyError).problems;
    }
    return [];
  }
  it('accepts the built-in policies as files would give them', () => {
    expect(problems(JSON.parse(JSON.stringify(SEED)))).toEqual([]);
    expect(problems(JSON.parse(JSON.stringify(FULL)))).toEqual([]);
  });
  it('names the field of every problem', () => {
    expect(problems({ ...SEED, merge: 'all', extra: 1, maxBatch: 1, pairs: [{ first: ['SETREGS'], second: ['CONT', 'BOGUS', 'PTRACE_ATTACH'] }] })).toEqual([
      'policy.extra: unknown field (expected name, description, source, merge, pairs, requests, maxBatch)',
      'policy.merge: expected "pairs" or "runs", got "all"',
      'policy.pairs[0].second[1]: unknown ptrace request "BOGUS"',
      'policy.pairs[0].second[2]: PTRACE_ATTACH cannot run inside PTRACE_MULTI (legality rule R7)',
      'policy.maxBatch: expected 0 (no limit) or an integer ≥ 2, got 1',
    ]);
    expect(problems({ ...FULL, name: '', requests: 'GETREGS' })).toEqual(['policy.name: expected a non-empty string', 'policy.requests: expected an array of ptrace request names']);
    expect(problems([])).toEqual(['policy: expected a JSON object']);
  });
});
