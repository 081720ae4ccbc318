// `npm run bench` prints every documented field as JSON. Tiny sizes: this checks the shape and
// that each measurement ran, never a speed (speed is for the bench itself to report).
import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { BENCH_FIELDS, QUICK_SIZES, runBench } from '../../bench/run.ts';
import { loadTimedRuns, measured } from '../../src/cost-model/timed-fixtures.ts';
import { PROFILE_SESSION } from '../../src/cost-model/validation.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const positive = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x > 0;

describe('npm run bench', () => {
  test('every field, as JSON, on tiny sizes', { timeout: 120_000 }, async () => {
    const r = await runBench({ ...QUICK_SIZES, getpid: 5, touchBytes: 8192, forks: 1, checkRuns: 1, checkEvents: 3, whatifMb: 1, sysemuLoop: 10, batchChecks: 2 }, 1);
    const j = JSON.parse(JSON.stringify(r)) as Record<string, any>;
    expect(Object.keys(j).sort()).toEqual([...BENCH_FIELDS].sort());
    for (const p of ['uml-2.6.26', 'uml-6.1']) for (const m of ['single', 'multi']) {
      // A difference of two timings (net of start-up): at these sizes it may come out ≤ 0.
      expect(Number.isFinite(j.usPerGuestSyscall[p][m]), `${p} ${m}`).toBe(true);
      expect(positive(j.startupUs[p][m]), `${p} ${m}`).toBe(true);
    }
    for (const f of ['usPerFirstTouchFault', 'usPerFork', 'hostSyscallsPerSecond']) expect(typeof j[f], f).toBe('number');
    expect(Object.keys(j.coldUsPerOp).sort()).toEqual(['firstTouchFault', 'fork']);
    for (const v of Object.values(j.coldUsPerOp)) expect(typeof v).toBe('number');
    expect(j.equivalenceCasesPerSecond).toMatchObject({ cases: 4, events: 3, workers: 1 });
    expect(positive(j.equivalenceCasesPerSecond.casesPerSecond)).toBe(true);
    expect(j.bytesPerLedgerEntry.entries).toBeGreaterThan(0);
    expect(j.runFlatMemory.getpid).toEqual([5, 20]);
    expect(j.runFlatMemory.hostSyscalls[1]).toBe(j.runFlatMemory.hostSyscalls[0] + 15 * 6); // 6 host calls per uml-6.1 getpid
    for (const mb of j.runFlatMemory.peakRssMb) expect(positive(mb)).toBe(true);
    expect(j.whatif.lines).toBeGreaterThan(1000);
    expect(j.whatif.hostSyscalls).toBeGreaterThan(0);
    for (const f of ['linesPerSecond', 'wcLinesPerSecond', 'ratioToWc', 'scanLinesPerSecond', 'peakRssMb']) expect(positive(j.whatif[f]), f).toBe(true);
    // The real getpid of the cost profiles' own session (validation.ts PROFILE_SESSION; timed-fixtures.ts).
    expect(PROFILE_SESSION).toBe('late');
    const real = loadTimedRuns(ROOT);
    expect(j.speedupVsRealUml.realUs).toBe(measured(real, 'getpid', 'late', 'pinned').netNs / 1000);
    expect(j.speedupVsRealUml.realUnpinnedUs).toBe(measured(real, 'getpid', 'late', 'unpinned').netNs / 1000);
    expect(j.speedupVsRealUml.realSource).toContain('late-');
    expect(j.speedupVsRealUml.simulatedUs).toBe(j.usPerGuestSyscall['uml-6.1'].single);
    expect(j.results.map((x: { name: string }) => x.name)).toEqual(['sysemu-loop', 'fixture-replay', 'batch-check']);
  });

  test('--help lists the fields', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--help'], { cwd: ROOT, encoding: 'utf8' });
    expect(out).toContain('usage: npm run bench');
    for (const f of BENCH_FIELDS) expect(out).toContain(f);
  });
});
