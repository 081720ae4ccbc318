import fc from 'fast-check';
import { writeFileSync, mkdirSync } from 'node:fs';
import { genInputArb, buildScript } from './src/conformance/generator.ts';
import { runCase } from './src/conformance/differential.ts';
import { formatDiff } from './src/conformance/compare.ts';
const n = Number(process.argv[2] ?? 20), seed = Number(process.argv[3] ?? 1), show = Number(process.argv[4] ?? 100);
const inputs = fc.sample(genInputArb, { seed, numRuns: n });
let bad = 0; const t0 = performance.now();
mkdirSync('/tmp/pt/bad', { recursive: true });
for (let i = 0; i < n; i++) {
  const text = buildScript(inputs[i]!);
  const r = await runCase(text);
  if (!r.ok) {
    bad++;
    writeFileSync(`/tmp/pt/bad/s${seed}-${i}.script`, text);
    if (bad <= show) console.log(`s${seed}-${i}: ${r.failure ?? ''} ${r.comparison.diffs.slice(0, 2).map(formatDiff).join(' | ')}`);
  }
}
console.log(`${n} cases, ${bad} bad, ${(performance.now() - t0).toFixed(0)} ms`);
