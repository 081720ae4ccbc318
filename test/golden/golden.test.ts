// Issue 9's contract: the fast core changes nothing but speed. Every golden case's
// `run --json` + `trace --json` output is byte-identical to what was recorded before the
// rewrite (scripts/record-goldens.ts; 180 cases: 30 workloads × 2 profiles × 3 settings, booted noumh; + 1 default-boot case).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { goldenCases, goldenOutput } from './cases.ts';

interface Golden { name: string; sha256: string; bytes: number; output: string }

const goldens = new Map<string, Golden>(
  gunzipSync(readFileSync('test/fixtures/golden/goldens.jsonl.gz')).toString('utf8').trim().split('\n')
    .map((l) => JSON.parse(l) as Golden).map((g) => [g.name, g]),
);

/** The first differing line, for a readable failure instead of a 100 kB diff. */
function firstDifference(want: string, got: string): string {
  const a = want.split('\n');
  const b = got.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}:\n  want ${a[i]}\n  got  ${b[i]}`;
  }
  return 'identical';
}

describe('golden run/trace output (recorded before the fast core)', () => {
  const cases = goldenCases();
  it('covers every recorded case', () => {
    expect(cases.map((c) => c.name).sort()).toEqual([...goldens.keys()].sort());
  });
  for (const c of cases) {
    it(c.name, () => {
      const got = goldenOutput(c);
      const want = goldens.get(c.name)!;
      if (got !== want.output) expect.fail(`${c.name} differs at ${firstDifference(want.output, got)}`);
    });
  }
});
