import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { goldenCases, goldenOutput } from '../test/golden/cases.ts';
const goldens = new Map(gunzipSync(readFileSync('test/fixtures/golden/goldens.jsonl.gz')).toString('utf8').trim().split('\n').map((l) => JSON.parse(l)).map((g) => [g.name, g]));
let same = 0, diff = 0;
const runJson = (out: string) => JSON.parse(out.slice(out.indexOf('# run\n') + 6, out.indexOf('# trace\n')));
const traceLines = (out: string) => out.slice(out.indexOf('# trace\n') + 8).trim().split('\n');
for (const c of goldenCases()) {
  const old = goldens.get(c.name)!.output as string;
  const noumh = goldenOutput({ name: c.name, args: [...c.args, '--boot', 'noumh'] }).replace('"boot": "noumh"', '"boot": ""');
  const def = goldenOutput(c);
  const a = runJson(old), b = runJson(def);
  const startupDelta = b.startup.hostSyscalls - a.startup.hostSyscalls;
  delete a.startup.hostSyscalls; delete b.startup.hostSyscalls;
  const runSame = JSON.stringify(a) === JSON.stringify(b);
  const tOld = traceLines(old), tNew = traceLines(def);
  if (noumh === old && runSame) same++;
  else { diff++; console.log(c.name, 'noumh==old:', noumh === old, 'run-phase same:', runSame); }
  if (same + diff <= 2 || !runSame) console.log(c.name, 'startup delta', startupDelta, 'trace lines', tOld.length, '->', tNew.length);
}
console.log('same', same, 'diff', diff);
