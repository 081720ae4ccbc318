// The teaching view in a real browser (playwright-core driving Debian's /usr/bin/chromium):
// the static build from `buildTeach`, served by a local node:http server. Every scenario is
// stepped forward to the end and back to the start with the keyboard; the decoded wait
// statuses shown must be the CLI's (`demo --json`, `ptsim script`, `trace --json`), the
// highlighted registers the ones that changed; the permalink round-trips; the file:// build
// works offline. A screenshot of each scenario goes to test-output/teach/.
// Without chromium: fails in CI (CI=true), skipped with a message locally.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { runDemo } from '../../src/cli/demo.ts';
import { buildTeach } from '../../src/cli/teach-build.ts';
import { serveStatic } from '../../src/cli/static-server.ts';
import { parseScript } from '../../src/conformance/script.ts';
import { runScriptOnSimulator } from '../../src/conformance/sim-runner.ts';
import { loadScenario, SCENARIOS, type Scenario } from '../../src/teach/scenarios.ts';
import { changedRegs } from '../../src/teach/task-view.ts';
import type { Step } from '../../src/teach/types.ts';
import { UML_BOOT, UML_POLICY, UML_PROFILE } from '../../src/teach/uml-run.ts';
import { fixtureScript } from './helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = new URL('../../', import.meta.url).pathname;
const SHOTS = join(ROOT, 'test-output/teach');
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && !IN_CI) console.warn(`browser.test.ts: ${CHROMIUM} is missing, the teaching-view browser tests are SKIPPED (apt-get install -y chromium)`);

interface TraceJson {
  seq: number;
  stop: string | null;
  request: string | null;
}

/** `ptsim trace --json` on the real command line: one object per UML host syscall. */
async function cliTrace(workload: string, mode: 'single' | 'multi'): Promise<TraceJson[]> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'trace', '--workload', workload, '--profile', UML_PROFILE, '--policy', UML_POLICY, '--boot', UML_BOOT, '--mode', mode, '--json'], { cwd: ROOT, maxBuffer: 64 << 20 });
  return stdout.trim().split('\n').map((l) => JSON.parse(l) as TraceJson);
}

/** What the CLI prints as the wait statuses of a (non-UML) scenario's run, in order. */
function cliStatuses(s: Scenario): string[] {
  if (s.kind === 'demo') return runDemo().filter((l) => l.call.startsWith('wait4')).map((l) => l.result.split(' ')[1]!);
  if (s.kind === 'script') return runScriptOnSimulator(parseScript(fixtureScript(s.arg!))).filter((o) => o.op === 'wait' && typeof o.status === 'string').map((o) => String(o.status));
  return [];
}

interface Seen {
  ready: string;
  position: string;
  waitHex: string | null;
  waitSummary: string | null;
  changed: string[];
  call: string;
  seq: string;
}

/** Read what the page shows (runs in the page; a string so the bundler does not rewrite it). */
const OBSERVE = `() => ({
  ready: document.body.dataset.ready ?? '',
  position: document.getElementById('position')?.textContent ?? '',
  waitHex: document.getElementById('wait-hex')?.textContent ?? null,
  waitSummary: document.getElementById('wait-hex') ? document.getElementById('wait-summary')?.textContent ?? null : null,
  changed: [...document.querySelectorAll('#regs .reg.changed')].map((e) => e.dataset.reg ?? ''),
  call: document.getElementById('call-text')?.textContent ?? '',
  seq: document.getElementById('call-seq')?.textContent ?? '',
})`;

/** In the page: the observation now, then press `key` `times` times (keydown on the document, the app's handler) observing after each. */
const walkScript = `(key, times) => {
  const look = ${OBSERVE};
  const out = [look()];
  for (let i = 0; i < times; i++) {
    document.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    out.push(look());
  }
  return out;
}`;

const observe = (p: Page): Promise<Seen> => p.evaluate(`(${OBSERVE})()`);

describe.runIf(hasChromium || IN_CI)('teaching view in chromium', () => {
  let dir: string;
  let server: Server;
  let url: string;
  let ctx: BrowserContext;
  let profile: string;
  const errors: string[] = [];
  const foreign: string[] = [];
  const traces = new Map<string, TraceJson[]>();
  let shared: Page | undefined;

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: CI must install it (.ci/run: apt-get install -y chromium)`).toBe(true);
    dir = mkdtempSync(join(tmpdir(), 'ptsim-teach-'));
    const runs = [...SCENARIOS.filter((s) => s.kind === 'uml').map((s) => [s.arg!, 'single'] as const), ['getpid:1', 'multi'] as const];
    const [, ...lines] = await Promise.all([buildTeach(dir), ...runs.map(([w, m]) => cliTrace(w, m))]);
    runs.forEach(([w, m], i) => traces.set(`${w}:${m}`, lines[i]!));
    ({ server, url } = await serveStatic(dir, 0));
    mkdirSync(SHOTS, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), 'ptsim-chromium-'));
    const { chromium } = await import('playwright-core');
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1600, height: 1000 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    ctx.on('page', (p) => {
      p.on('pageerror', (e) => errors.push(String(e)));
      p.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
      p.on('request', (r) => void (!r.url().startsWith(url) && !r.url().startsWith('file://') && !r.url().startsWith('data:') && foreign.push(r.url())));
    });
  }, 120_000);

  afterAll(async () => {
    await ctx?.close();
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  async function open(hash: string, ready: string): Promise<Page> {
    const p = await ctx.newPage();
    await p.goto(`${url}${hash}`);
    await p.waitForSelector(`body[data-ready="${ready}"]`, { timeout: 30_000 });
    return p;
  }

  it.each(SCENARIOS.map((s) => [s.id, s] as const))('%s: forward to the end and back to the start; wait statuses and changed registers as the CLI run', async (id, s) => {
    const steps: readonly Step[] = loadScenario({ id }, fixtureScript).recording.steps;
    const n = steps.length;
    // One page for every scenario: a new fragment loads the next one (the app's hashchange handler).
    shared ??= await open('#s=demo&step=0', 'demo:single:0');
    const p = shared;
    await p.evaluate(`location.hash = ${JSON.stringify(`#s=${id}&step=0`)}`);
    await p.waitForSelector(`body[data-ready="${id}:single:0"]`, { timeout: 30_000 });
    // Forward: the app's own keydown handler, one ArrowRight per step, observed after each
    // (in the page: a real key press costs ~30 ms of round trips; keys are also pressed for real below).
    const seen: Seen[] = await p.evaluate(`(${walkScript})('ArrowRight', ${n - 1})`);
    await p.keyboard.press('ArrowRight'); // already at the end: stays
    expect((await observe(p)).ready).toBe(`${id}:single:${n - 1}`);
    expect(seen.map((x) => x.ready)).toEqual(steps.map((_, i) => `${id}:single:${i}`));
    expect(seen.at(-1)!.position).toBe(`Step ${n} / ${n}`);
    expect(await p.isDisabled('#next')).toBe(true);
    // the decoded wait status on screen, step by step, is what the CLI prints
    const shown = seen.filter((x) => x.waitHex !== null);
    if (s.kind === 'uml') {
      // one step per line of `ptsim trace --json`: same ledger seq, same decoded stop
      const cli = traces.get(`${s.arg}:single`)!;
      expect(seen.map((x) => Number(x.seq))).toEqual(cli.map((l) => l.seq));
      expect(seen.map((x) => x.waitSummary)).toEqual(cli.map((l) => l.stop));
    } else if (s.kind !== 'batch' && s.kind !== 'breakpoint') {
      expect(shown.map((x) => x.waitHex)).toEqual(cliStatuses(s));
    }
    // highlighted registers = the registers that changed in the focused task
    seen.forEach((x, i) => {
      const st = steps[i]!;
      const t = st.target !== null && st.tasks[st.target]?.state !== 'tracer' ? st.tasks[st.target] : Object.values(st.tasks).find((v) => v.state !== 'tracer');
      const expected = t && i > 0 ? changedRegs(steps[i - 1]!.tasks[t.pid], t) : [];
      expect(x.changed, `${id} step ${i + 1}`).toEqual(expected);
    });
    const back: Seen[] = await p.evaluate(`(${walkScript})('ArrowLeft', ${n - 1})`);
    expect(back.map((x) => x.ready)).toEqual(steps.map((_, i) => `${id}:single:${n - 1 - i}`));
    expect(back.map((x) => x.call)).toEqual([...seen].reverse().map((x) => x.call)); // step-back shows the same step
    expect(await p.isDisabled('#prev')).toBe(true);
    await p.keyboard.press('End');
    expect((await observe(p)).ready).toBe(`${id}:single:${n - 1}`);
    await p.keyboard.press('Home');
    expect((await observe(p)).ready).toBe(`${id}:single:0`);
    // screenshot at the most instructive step: the first reported stop after the set-up
    const at = Math.max(0, steps.findIndex((st, i) => i > 2 && st.wait !== null && /SIGTRAP|EVENT|SIGUSR|SIGSEGV/.test(st.wait.summary)));
    await p.evaluate(`(${walkScript})('ArrowRight', ${at})`);
    await p.screenshot({ path: join(SHOTS, `${id}.png`), fullPage: true });
  }, 60_000);

  it('named steps: getpid\'s entry stop shows 0x857f bit by bit with orig_rax and rax highlighted; the breakpoint moves rip', async () => {
    const demo = loadScenario({ id: 'demo' }, fixtureScript).recording.steps;
    const k = demo.findIndex((s) => s.wait?.hex === '0x857f');
    const p = await open(`#s=demo&step=${k}`, `demo:single:${k}`);
    const o = await observe(p);
    expect(o.waitHex).toBe('0x857f');
    expect(o.waitSummary).toBe('SIGTRAP|0x80');
    expect(o.changed).toEqual(expect.arrayContaining(['orig_rax', 'rax']));
    const text = await p.textContent('#wait-card');
    expect(text).toContain('00000000000000001000010101111111'); // 0x857f, bit 31 first
    expect(text).toContain('WSTOPSIG133 (not SIGTRAP: 133 = SIGTRAP|0x80)');
    expect(await p.textContent('#regs-card')).toContain('0xffffffffffffffda (-38)');
    expect(await p.textContent('.reg.changed[data-reg="orig_rax"]')).toContain('changed'); // a text label, not colour alone
    const bp = loadScenario({ id: 'breakpoint' }, fixtureScript).recording.steps;
    const poke = bp.findIndex((s) => s.call.request === 'PTRACE_POKEUSER');
    const q = await open(`#s=breakpoint&step=${poke}`, `breakpoint:single:${poke}`);
    expect((await observe(q)).changed).toEqual(['rip']);
    await p.close();
    await q.close();
  }, 60_000);

  it('UML multi mode: every step is the line of `ptsim trace --mode multi --json`, merged calls marked', async () => {
    const cli = traces.get('getpid:1:multi')!;
    const p = await open('#s=uml-getpid&m=multi', 'uml-getpid:multi:0');
    const seen: Seen[] = await p.evaluate(`(${walkScript})('ArrowRight', ${cli.length - 1})`);
    expect(seen.map((x) => Number(x.seq))).toEqual(cli.map((l) => l.seq));
    expect(seen.map((x) => x.waitSummary)).toEqual(cli.map((l) => l.stop));
    expect(seen.map((x) => x.call.startsWith('ptrace(PTRACE_MULTI'))).toEqual(cli.map((l) => l.request === 'PTRACE_MULTI'));
    expect(await p.textContent('#step-card')).toMatch(/MERGED|exit/);
    expect(await p.locator('#compare-card .tag.merged').count()).toBeGreaterThan(0);
    await p.close();
  }, 60_000);

  it('the permalink round-trips (scenario, mode, step), and the file:// build works offline', async () => {
    const p = await open('#s=uml-fork', 'uml-fork:single:0');
    await p.click('#mode-multi');
    await p.waitForSelector('body[data-ready^="uml-fork:multi:"]');
    for (let i = 0; i < 7; i++) await p.keyboard.press('ArrowRight');
    const a = await observe(p);
    const hash = await p.evaluate(() => location.hash);
    expect(hash).toMatch(/^#s=uml-fork&m=multi&step=\d+$/);
    expect(await p.getAttribute('#permalink', 'href')).toBe(hash);
    expect(await p.textContent('#compare-card')).toMatch(/Saved so far: -?\d+ host calls/);
    const q = await open(hash, a.ready);
    expect((await observe(q)).call).toBe(a.call);
    const f = await ctx.newPage();
    await f.goto(`file://${dir}/index.html${hash}`);
    await f.waitForSelector(`body[data-ready="${a.ready}"]`, { timeout: 30_000 });
    expect((await observe(f)).call).toBe(a.call);
    for (const x of [p, q, f]) await x.close();
  }, 60_000);

  it('keyboard only: Tab to the buttons and the slider, Enter and arrows step; pasted input runs', async () => {
    const p = await open('#s=sysemu-basic', 'sysemu-basic:single:0');
    let guard = 0;
    while ((await p.evaluate(() => document.activeElement?.id)) !== 'next' && guard++ < 20) await p.keyboard.press('Tab');
    await p.keyboard.press('Enter');
    expect((await observe(p)).ready).toBe('sysemu-basic:single:1');
    await p.keyboard.press('Tab'); // End
    await p.keyboard.press('Tab'); // the slider
    expect(await p.evaluate(() => document.activeElement?.id)).toBe('slider');
    await p.keyboard.press('ArrowRight');
    expect((await observe(p)).ready).toBe('sysemu-basic:single:2');
    const outline = await p.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none'); // visible focus
    await p.click('#paste summary');
    await p.fill('#paste-text', 'getpid:2');
    await p.click('#paste-run');
    await p.waitForSelector('body[data-ready="custom-workload:single:0"]');
    await p.fill('#paste-text', 'getpid:zz');
    await p.click('#paste-run');
    expect(await p.textContent('#error')).toMatch(/getpid:zz/);
    await p.close();
  }, 60_000);

  it('no page errors and no request outside the local build', () => {
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
  });
});
