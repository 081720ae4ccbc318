// `ptsim report --html`: the page is self-contained, carries the numbers of the comparison,
// and renders in a real headless browser (Debian chromium; skipped with a message if absent).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRuns, CliError, type Comparison } from '../../src/cli/uml-commands.ts';
import { commandReport } from '../../src/cli/report-command.ts';
import { eventRows, htmlReport, requestRows, writeFileAtomic } from '../../src/cost-model/html-report.ts';

const CHROMIUM = '/usr/bin/chromium';
const WORKLOAD = 'getpid:20+write:5x64+touch:16384+sleep:1';

let dir: string;
let c: Comparison;
let html: string;
let file: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ptsim-report-'));
  c = compareRuns({ workload: WORKLOAD, profile: 'uml-6.1', policy: 'full' });
  html = htmlReport(c);
  file = join(dir, 'report.html');
  writeFileAtomic(file, html);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('html report', () => {
  it('is one self-contained file: no script, no external resource', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|\bhref=|url\(|@import/i);
    // the only URL is the SVG namespace
    expect(html.match(/https?:\/\/[^\s"']+/g)?.every((u) => u === 'http://www.w3.org/2000/svg')).toBe(true);
    expect(readdirSync(dir)).toEqual(['report.html']); // the temp file was renamed away
  });

  it('carries the comparison: calls by request, time split, calls per guest event', () => {
    for (const r of requestRows(c)) expect(html).toContain(`data-label="${r.key}"`);
    expect(html).toContain(`<td id="calls-single">${c.single.hostSyscalls}</td>`);
    expect(html).toContain(`<td id="calls-multi">${c.multi.hostSyscalls}</td>`);
    expect(html).toContain(`${c.saved.speedup.toFixed(3)}×`);
    const ev = eventRows(c);
    expect(ev.find((e) => e.event === 'syscall:getpid')).toEqual({ event: 'syscall:getpid', occurrences: 20, single: 120, multi: 60 });
    // every run-phase host call is in exactly one event row
    expect(ev.reduce((n, e) => n + e.single, 0)).toBe(c.single.hostSyscalls);
    expect(ev.reduce((n, e) => n + e.multi, 0)).toBe(c.multi.hostSyscalls);
    expect(htmlReport(c)).toBe(html); // deterministic
  });

  it('ptsim report: clear errors, writes the file', () => {
    expect(() => commandReport([])).toThrow(CliError);
    expect(() => commandReport([])).toThrow(/--html FILE is required/);
    expect(() => commandReport(['--html', join(dir, 'no-such-dir', 'x.html')])).toThrow(/does not exist/);
    expect(() => commandReport(['--html', dir])).toThrow(/is a directory/);
    expect(() => commandReport(['--html', join(dir, 'y.html'), '--workload', 'nope:1'])).toThrow(CliError);
    expect(existsSync(join(dir, 'y.html'))).toBe(false);
  });

  const hasChromium = existsSync(CHROMIUM);
  if (!hasChromium) console.warn(`html-report.test.ts: ${CHROMIUM} is missing, the headless-browser checks are SKIPPED (apt-get install -y chromium)`);
  const chromium = (args: string[]): string => {
    const profile = mkdtempSync(join(tmpdir(), 'ptsim-chromium-'));
    try {
      return execFileSync(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`, ...args], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 << 20 });
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  };

  it.skipIf(!hasChromium)('renders in headless chromium: the DOM has the three charts and the numbers', () => {
    const dom = chromium(['--dump-dom', `file://${file}`]);
    for (const id of ['calls-by-request', 'time-split', 'calls-per-event']) expect(dom).toMatch(new RegExp(`<svg[^>]*id="${id}"`));
    expect((dom.match(/<rect class="bar (single|multi)"/g) ?? []).length).toBeGreaterThan(20);
    expect((dom.match(/<rect class="seg /g) ?? []).length).toBe(12); // 2 modes × 6 parts (price.ts PARTS)
    expect(dom).toContain(`<td id="calls-single">${c.single.hostSyscalls}</td>`);
    expect(dom).toContain(`<td id="calls-multi">${c.multi.hostSyscalls}</td>`);
    expect(dom).toContain(`${(c.single.simulatedNs / 1000).toFixed(1)} µs`);
  }, 90_000);

  it.skipIf(!hasChromium)('renders in headless chromium: a non-trivial screenshot', () => {
    const png = join(dir, 'shot.png');
    chromium(['--window-size=1000,1600', `--screenshot=${png}`, `file://${file}`]);
    const b = readFileSync(png);
    expect([...b.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(b.readUInt32BE(16)).toBe(1000); // IHDR width
    expect(b.readUInt32BE(20)).toBe(1600); // IHDR height
    // a blank page compresses to a few KB; charts, text and colours do not
    expect(statSync(png).size).toBeGreaterThan(30_000);
  }, 90_000);
});

it('writeFileAtomic leaves nothing half-written when the rename fails', () => {
  const d = mkdtempSync(join(tmpdir(), 'ptsim-atomic-'));
  try {
    const target = join(d, 'sub');
    writeFileSync(join(d, 'keep'), 'x');
    // renaming a file onto a non-empty directory fails
    execFileSync('mkdir', ['-p', join(target, 'inner')]);
    expect(() => writeFileAtomic(target, 'data')).toThrow();
    expect(readdirSync(d).sort()).toEqual(['keep', 'sub']);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
