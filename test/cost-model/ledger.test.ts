// The rebuilt ledger counts what `grep -c` counts in the real UML logs.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ledgerFromText } from '../../src/cost-model/ledger-from-strace.ts';
import { countLedger } from '../../src/kernel/ledger-stats.ts';
import { readLog, UML } from './helpers.ts';

function grepC(pattern: string, path: string): number {
  const args = path.endsWith('.gz') ? ['-c', '-E', pattern] : ['-c', '-E', pattern, path];
  try {
    return Number(execFileSync(path.endsWith('.gz') ? 'zgrep' : 'grep', path.endsWith('.gz') ? [...args, path] : args, { encoding: 'utf8' }).trim());
  } catch (e) {
    return Number((e as { stdout: string }).stdout.trim()); // grep exits 1 on 0 matches
  }
}

describe('ledger counts vs grep -c', () => {
  for (const f of readdirSync(UML).filter((x) => x.endsWith('.strace') || x.endsWith('.strace.gz'))) {
    it(f, () => {
      const c = countLedger(ledgerFromText(readLog(UML + f)));
      expect(c.bySyscall.ptrace ?? 0).toBe(grepC('^ptrace\\(', UML + f));
      expect(c.bySyscall.wait4 ?? 0).toBe(grepC('^wait4\\(', UML + f));
      expect(c.hostSyscalls).toBe(grepC('^[a-z_0-9]+\\(', UML + f));
      for (const r of ['SETREGS', 'GETREGS', 'SETREGSET', 'CONT', 'SYSEMU', 'KILL']) {
        expect(c.byPtraceRequest[`PTRACE_${r}`] ?? 0, r).toBe(grepC(`^ptrace\\(PTRACE_${r},`, UML + f));
      }
    });
  }
  it('the real UML 6.1 run: the totals uml/README.md gives', () => {
    const c = countLedger(ledgerFromText(readLog(`${UML}uml-6.1-run.strace.gz`)));
    expect(c.hostSyscalls).toBe(7298);
    expect(c.byPtraceRequest).toMatchObject({ PTRACE_SETREGS: 989, PTRACE_KILL: 558, PTRACE_OLDSETOPTIONS: 560 });
  });
});
