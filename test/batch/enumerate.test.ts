// Exhaustive small scope: every batch of length ≤ 3 over the nine-request alphabet at every
// stop kind is equivalent to sequential issue exactly when no documented divergence applies,
// and docs/batch-classification.md is the current table.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { classificationDoc } from '../../src/batch/docs.ts';

describe('batch ≡ sequence, exhaustively (length ≤ 3, 2008; length ≤ 2, 2006)', () => {
  test('every batch is classified and the docs table is current', { timeout: 120_000 }, () => {
    const doc = classificationDoc();
    expect(doc).not.toMatch(/Unexplained divergences: [1-9]/);
    expect(doc).toContain('Unexplained divergences: 0');
    const onDisk = readFileSync(new URL('../../docs/batch-classification.md', import.meta.url), 'utf8');
    expect(onDisk, 'docs/batch-classification.md is stale: run `npm run docs:batch`').toBe(doc);
  });
});
