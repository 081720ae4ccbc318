// Re-record test/fixtures/golden/goldens.jsonl.gz: one JSON line per case
// { name, sha256, bytes, output }. Only re-record when a change is MEANT to alter
// guest-visible or ledger behaviour, and review the diff (`npx tsx scripts/record-goldens.ts`).
import { createHash } from 'node:crypto';
import { writeFileSync, renameSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { goldenCases, goldenOutput } from '../test/golden/cases.ts';

const out: string[] = [];
const cases = goldenCases();
cases.forEach((c, i) => {
  const output = goldenOutput(c);
  out.push(JSON.stringify({ name: c.name, sha256: createHash('sha256').update(output).digest('hex'), bytes: output.length, output }));
  process.stderr.write(`\r${i + 1}/${cases.length} ${c.name.padEnd(60)}`);
});
process.stderr.write('\n');
const file = 'test/fixtures/golden/goldens.jsonl.gz';
writeFileSync(`${file}.tmp`, gzipSync(out.join('\n') + '\n', { level: 9 }));
renameSync(`${file}.tmp`, file);
console.log(`${cases.length} cases → ${file}`);
