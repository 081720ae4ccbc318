// `npm run docs:cost [-- --check]`: rewrites the generated section of docs/cost-model.md
// (validation against real UML 6.1 timings, Davoli's claim re-run; src/cost-model/validation.ts).
// --check: exit 1 if the doc is out of date (what test/cost-model/validation.test.ts asserts).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedSection, REPO_ROOT, withSection } from './validation.ts';

export const COST_DOC = join(REPO_ROOT, 'docs', 'cost-model.md');

function main(argv: string[]): number {
  const doc = readFileSync(COST_DOC, 'utf8');
  const next = withSection(doc, generatedSection());
  if (argv.includes('--check')) {
    if (next === doc) return 0;
    console.error('docs/cost-model.md is out of date: run npm run docs:cost and review the diff');
    return 1;
  }
  if (next !== doc) {
    const tmp = `${COST_DOC}.tmp-${process.pid}`;
    writeFileSync(tmp, next);
    renameSync(tmp, COST_DOC);
  }
  console.log(next === doc ? 'docs/cost-model.md: up to date' : 'docs/cost-model.md: generated section rewritten');
  return 0;
}

process.exitCode = main(process.argv.slice(2));
