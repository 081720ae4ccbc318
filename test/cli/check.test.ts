// `ptsim check`: N random programs checked single ≡ multi on worker threads. The verdicts
// (and the whole JSON but its timing) do not depend on the number of workers; a failure is
// found, reported with its clause and shrunk to a smaller program that still fails. The
// failing law is injected through a test-only option (check-cases.ts InjectedFault).
import { execFile } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { formatCheck, runCheck, type CheckOptions, type CheckReport } from '../../src/cli/check-command.ts';
import { runCase } from '../../src/cli/check-cases.ts';
import { expandSpec, shrinkSpec } from '../../src/cli/check-shrink.ts';
import { randomProgram } from '../../src/uml/workload.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const SMALL: CheckOptions = { runs: 4, seed: 1, events: 10, workers: 1, profiles: ['uml-2.6.26', 'uml-6.1'], policies: ['full'], shrinkBudget: 60 };
const withoutTiming = (r: CheckReport) => JSON.stringify({ ...r, timing: undefined });

function ptsim(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('ptsim check', () => {
  test('a small run passes, with the same verdicts and JSON on 1 and 2 workers', { timeout: 120_000 }, async () => {
    const one = await runCheck(SMALL);
    const two = await runCheck({ ...SMALL, workers: 2 });
    expect(one.cases).toBe(8);
    expect(one.failures).toBe(0);
    expect(one.counterexample).toBeNull();
    expect(one.results.every((r) => r.reference === 'stock-single' || r.reference === 'multi-host-no-merge')).toBe(true);
    expect(new Set(one.results.map((r) => r.spec)).size).toBe(4);
    expect(one.timing.workers).toBe(1);
    expect(two.timing.workers).toBe(2);
    expect(withoutTiming(two)).toBe(withoutTiming(one));
    const other = await runCheck({ ...SMALL, seed: 2, runs: 1, profiles: ['uml-6.1'], policies: ['full'] });
    expect(other.results[0]!.spec).not.toBe(one.results[0]!.spec); // the seed drives the programs
  });

  test('a broken law: the failure is reported and shrunk to a smaller program that still fails', { timeout: 120_000 }, async () => {
    const opts: CheckOptions = { ...SMALL, runs: 2, workers: 2, profiles: ['uml-6.1'], policies: ['full'], inject: 'odd-console' };
    const r = await runCheck(opts);
    expect(r.failures).toBeGreaterThan(0);
    const bad = r.results.find((x) => x.broken)!;
    expect(bad.broken!.clause).toBe('injected: console length is even');
    const c = r.counterexample!;
    expect(c.from).toBe(bad.spec);
    expect(c.fromParts).toBe(10);
    expect(c.parts).toBeLessThan(c.fromParts);
    expect(c.clause).toBe('injected: console length is even');
    expect(runCase({ spec: c.spec, profile: c.profile, policy: c.policy, seed: c.seed }, 'odd-console').broken?.clause).toBe(c.clause);
    expect(runCase({ spec: c.spec, profile: c.profile, policy: c.policy, seed: c.seed }).broken).toBeNull(); // the real law holds
    expect(c.spec).toMatch(/^write:1x\d+$/); // one odd write is all it takes
    const text = formatCheck(r);
    expect(text).toContain(`counterexample (shrunk from 10 parts of ${c.from} to ${c.parts}`);
    expect(text).toMatch(new RegExp(`^  ${c.spec}$`, 'm'));
    expect(text).toContain('breaks injected: console length is even: console has');
    expect(text).toMatch(/^checked 2 cases, [12] failures?, /m);
    const again = await runCheck({ ...opts, workers: 1 });
    expect(withoutTiming(again)).toBe(withoutTiming(r));
  });

  test('the shrinker: ddmin over parts, then smaller numbers', () => {
    expect(expandSpec('random:7:5+getpid:2')).toEqual([...randomProgram(7, 5).split('+'), 'getpid:2']);
    const fails = (s: string) => s.split('+').some((p) => /^write:\d+x(\d+)$/.test(p) && Number(p.split('x')[1]) >= 5);
    const s = shrinkSpec('getpid:3+spin:90+write:3x40+touch:100+write:2x7+sleep:1', fails);
    expect(s.spec).toBe('write:1x5');
    expect(s.parts).toBe(1);
    expect(shrinkSpec('getpid:3+write:3x40', fails, 2).trials).toBe(2); // the budget bounds the checks
  });

  test('CLI: --json, exit status, bad input, --help', { timeout: 60_000 }, async () => {
    const [ok, bad, help] = await Promise.all([
      ptsim('check', '--runs', '1', '--events', '3', '--profile', 'uml-6.1', '--policy', 'full', '--workers', '1', '--json'),
      ptsim('check', '--events', '0'),
      ptsim('check', '--help'),
    ]);
    expect(ok.code).toBe(0);
    const j = JSON.parse(ok.stdout);
    expect(j).toMatchObject({ seed: 1, runs: 1, events: 3, cases: 1, failures: 0, counterexample: null, profiles: ['uml-6.1'], policies: ['full'] });
    expect(j.timing.casesPerSecond).toBeGreaterThan(0);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^ptsim: --events: expected a whole number 1\.\.1000, got '0'\n$/);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: ptsim check');
  });
});
