// The table of ported cases (src/conformance/cases.ts; LTP ptrace01-11, selftests/ptrace,
// gVisor ptrace.cc, PTRACE_MULTI/SYSVM stock checks): the simulator must reproduce the
// recorded real-kernel output of each (test/fixtures/ported/NAME.expected.jsonl) except on
// allow-listed lines, and every allow-list entry must still be needed. No C compiler needed.
import { describe, expect, test } from 'vitest';
import { ALLOW_LIST, allowedBy, DIFFERS_ON_PURPOSE, loadTableCases, NOT_PORTED } from '../../src/conformance/cases.ts';
import { compareOutputs, formatDiff } from '../../src/conformance/compare.ts';
import { runOnSimulator } from '../../src/conformance/differential.ts';
import type { OutputLine } from '../../src/conformance/sim-runner.ts';

const cases = loadTableCases();

describe('ported table cases against their recorded real-kernel output', () => {
  test('the table covers LTP ptrace01-10, the selftests, gVisor and the on-purpose differences', () => {
    const names = cases.map((c) => c.name);
    for (const n of ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10']) expect(names).toContain(`ltp-ptrace${n}`);
    expect(names.filter((n) => n.startsWith('selftest-')).length).toBeGreaterThanOrEqual(3);
    expect(names.filter((n) => n.startsWith('gvisor-')).length).toBeGreaterThanOrEqual(10);
    for (const d of DIFFERS_ON_PURPOSE) expect(names).toContain(d.name);
  });

  test('every exclusion carries a reason', () => {
    for (const e of [...ALLOW_LIST, ...NOT_PORTED, ...DIFFERS_ON_PURPOSE]) expect(e.reason.length).toBeGreaterThan(10);
    for (const e of ALLOW_LIST) expect(cases.map((c) => c.name)).toContain(e.name);
  });

  for (const c of cases) {
    test(c.name, () => {
      expect(c.expected, `${c.name}: no recorded output (FIXTURE_DIR=test/fixtures/ported bash scripts/record-fixtures.sh ${c.name})`).not.toBeNull();
      const expected = c.expected!.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as OutputLine);
      const sim = runOnSimulator(c.script);
      expect(sim.error).toBeNull();
      const cmp = compareOutputs(expected, sim.lines);
      const real = cmp.diffs.filter((d) => !allowedBy(c.name, d.line));
      expect(real.map(formatDiff)).toEqual([]);
      // an allow-listed line that no longer differs must leave the allow-list
      const allowed = ALLOW_LIST.filter((e) => e.name === c.name).flatMap((e) => e.lines);
      for (const line of allowed) expect(cmp.diffs.some((d) => d.line === line), `${c.name} line ${line} is allow-listed but agrees`).toBe(true);
    });
  }
});
