// End to end: determinism of the JSON report, the CLI's errors, and streaming with flat
// memory on a generated multi-MB gzip log.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, createWriteStream, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { eventsFromFile, LedgerBuilder } from '../../src/cost-model/ledger-from-strace.ts';
import { validatePolicy, FULL, SEED } from '../../src/cost-model/policy.ts';
import { loadProfile } from '../../src/cost-model/profile.ts';
import { reportJson } from '../../src/cost-model/report.ts';
import { whatIf } from '../../src/cost-model/whatif.ts';
import { readLog, REAL_RUN, SYNTH } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'ptsim-whatif-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function jsonReport(path: string, policy = FULL, profile = 'i386-2008'): Promise<string> {
  const builder = new LedgerBuilder();
  const p = validatePolicy(policy);
  const res = await whatIf(eventsFromFile(path, { builder }), p, loadProfile(profile));
  return JSON.stringify(reportJson(res, { file: 'log', lines: builder.lines, skippedLines: 0, skipped: [], policy: p, profile: loadProfile(profile) }), null, 2);
}

describe('determinism', () => {
  it('same input → byte-identical JSON', async () => {
    for (const pol of [SEED, FULL]) {
      const a = await jsonReport(REAL_RUN, pol);
      const b = await jsonReport(REAL_RUN, pol);
      expect(a).toBe(b);
    }
  });
  it('JSON has the required shape', async () => {
    const j = JSON.parse(await jsonReport(REAL_RUN));
    expect(Object.keys(j.before)).toEqual(expect.arrayContaining(['hostSyscalls', 'bySyscall', 'byPtraceRequest']));
    expect(j.after.hostSyscalls).toBeLessThan(j.before.hostSyscalls);
    expect(j.saved).toMatchObject({ hostSyscalls: j.before.hostSyscalls - j.after.hostSyscalls });
    expect(j.saved.fraction).toBeCloseTo(j.saved.hostSyscalls / j.before.hostSyscalls, 5);
    expect(j.saved.simulatedNs).toBeGreaterThan(0);
  });
});

describe('streaming', () => {
  it('a multi-MB gzip log streams with flat memory', async () => {
    const path = join(tmp, 'big.strace.gz');
    const unit = readLog(REAL_RUN).split('\n').filter((l) => l && !l.startsWith('+++')).join('\n') + '\n';
    const copies = 120; // ~132 MB of text, a few MB gzipped
    await new Promise<void>((resolve, reject) => {
      const gz = createGzip({ level: 1 });
      const out = createWriteStream(path);
      gz.pipe(out).on('finish', resolve).on('error', reject);
      let i = 0;
      const write = (): void => {
        while (i < copies) {
          i++;
          if (!gz.write(unit)) return void gz.once('drain', write);
        }
        gz.end();
      };
      write();
    });
    const heap: number[] = [];
    const builder = new LedgerBuilder();
    const events = eventsFromFile(path, { builder, onProgress: () => heap.push(process.memoryUsage().heapUsed) });
    const res = await whatIf(events, validatePolicy(FULL), loadProfile('i386-2008'));
    expect(builder.lines).toBe(copies * unit.split('\n').length - copies);
    expect([...res.processes.values()][0]!.before.hostSyscalls).toBe(7298 * copies);
    expect(heap.length).toBeGreaterThan(4);
    // Text held in memory would be ≥ 132 MB; allow generous slack for GC timing (the suite runs
    // files in parallel, and heapUsed includes garbage a collection has not reached yet).
    const growth = Math.max(...heap.slice(2)) - heap[1]!;
    expect(growth).toBeLessThan(64 * 1024 * 1024);
  }, 120_000);
});

describe('cli', () => {
  const cli = (...args: string[]) => spawnSync('npx', ['tsx', 'src/cost-model/cli.ts', ...args], { encoding: 'utf8', cwd: new URL('../..', import.meta.url).pathname });
  it('malformed line → FILE:LINE: message, exit 2, no stack trace; --lenient skips it', () => {
    const r = cli(`${SYNTH}malformed.strace`);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/malformed\.strace:3: .*no closing parenthesis/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const l = cli(`${SYNTH}malformed.strace`, '--lenient', '--json', '--cost', 'i386-2008');
    expect(l.status).toBe(0);
    expect(JSON.parse(l.stdout).input).toMatchObject({ lines: 4, skippedLines: 1 });
  }, 60_000);
  it('bad policy file → field-level errors, exit 2', () => {
    const p = join(tmp, 'bad-policy.json');
    writeFileSync(p, JSON.stringify({ ...SEED, merge: 'x' }));
    const r = cli(`${SYNTH}t-seconds.strace`, '--policy', p);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('policy.merge: expected "pairs" or "runs", got "x"');
  }, 60_000);
  it('--tracer other: UML\'s own terms at 0 (a stub run and a syscall stop cost what the host alone spends); a bad value exits 2', () => {
    const log = 'test/fixtures/uml/fork-exit.strace';
    const uml = JSON.parse(cli(log, '--json').stdout);
    const other = cli(log, '--json', '--tracer', 'other');
    expect(other.status).toBe(0);
    const o = JSON.parse(other.stdout);
    expect(o.before.hostSyscalls).toBe(uml.before.hostSyscalls);
    expect(o.before.simulatedNs).toBeLessThan(uml.before.simulatedNs); // the fork's stub runs and syscall stops no longer carry UML's time
    expect(o.profile.name).toBe('calibrated-local, tracer other');
    const bad = cli(log, '--tracer', 'gdb');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--tracer: expected uml or other');
  }, 60_000);
  it('missing file and --help', () => {
    expect(cli('/nonexistent.strace').status).toBe(2);
    const h = cli('--help');
    expect(h.status).toBe(0);
    expect(h.stdout).toContain('usage: ptsim whatif FILE');
  }, 60_000);
});
