// Every fixture recorded from the real kernel (test/fixtures/kernel, recorded by
// harness/ptrace-harness.c) must be reproduced exactly by the simulator.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseScript } from '../../src/conformance/script.ts';
import { runScriptOnSimulator } from '../../src/conformance/sim-runner.ts';

const DIR = join(import.meta.dirname, '../fixtures/kernel');
const scripts = readdirSync(DIR).filter((f) => f.endsWith('.script')).sort();

describe('real-kernel fixtures', () => {
  test('there are fixtures', () => expect(scripts.length).toBeGreaterThan(30));
  for (const file of scripts) {
    test(file, () => {
      const script = parseScript(readFileSync(join(DIR, file), 'utf8'));
      const expected = readFileSync(join(DIR, file.replace(/\.script$/, '.expected.jsonl')), 'utf8')
        .trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
      const actual = runScriptOnSimulator(script).map((l) => JSON.parse(JSON.stringify(l)));
      expect(actual).toEqual(expected);
    });
  }
});
