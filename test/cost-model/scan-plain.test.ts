// strace/scan.ts on a plain file: one reused read buffer, the partial last line moved to its
// front before the next read, the buffer doubled for a line longer than itself. For every read
// size, the lines (and their numbers) are readline's: \n, \r\n and a lone \r end a line, a last
// line without a newline counts; and the line count yielded at the end is the number of lines.
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { scanLogFile } from '../../src/cost-model/strace/scan.ts';

const tmp = mkdtempSync(join(tmpdir(), 'ptsim-scan-plain-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('scanLogFile, plain file', () => {
  test('the same lines for every read size (line ends, long lines, a read boundary at every byte)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('a', 'bc', '\n', '\r', '\r\n', 'x'.repeat(37), 'é'), { maxLength: 24 }), async (parts) => {
        const text = parts.join('');
        const path = join(tmp, 'log.strace');
        writeFileSync(path, text, 'utf8');
        const want = text.split(/\r\n|\r|\n/);
        if (want[want.length - 1] === '') want.pop();
        const size = Buffer.byteLength(text);
        for (let chunk = 1; chunk <= size + 1; chunk++) {
          const got: string[] = [];
          let last = -1;
          for await (const n of scanLogFile(path, (b, s, e, line) => got.push(`${line}:${b.toString('utf8', s, e)}`), undefined, 65536, chunk)) last = n;
          expect(got).toEqual(want.map((l, i) => `${i + 1}:${l}`));
          expect(last).toBe(want.length);
        }
      }),
      { numRuns: 60 },
    );
  });
});
