// The CLI's stable contract (README "Command-line contract", each command's --help), checked
// on the real command line: `ptsim run | compare | trace --json | probe --json` print the
// documented fields with the documented spellings, and bad input is one line on stderr that
// names the problem, exit status 2, no stack trace.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const TMP = mkdtempSync(join(tmpdir(), 'ptsim-contract-'));

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}

function ptsim(...args: string[]): Promise<Out> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

function file(name: string, text: string): string {
  const p = join(TMP, name);
  writeFileSync(p, text);
  return p;
}

const isCounts = (x: unknown) => typeof x === 'object' && x !== null && Object.values(x).every((v) => Number.isInteger(v) && (v as number) >= 0);

describe('ptsim run --json', () => {
  test('one object with the documented fields', { timeout: 30_000 }, async () => {
    const o = await ptsim('run', '--workload', 'getpid:3+write:1x10', '--profile', 'uml-2.6.26', '--mode', 'multi', '--json');
    expect(o.code).toBe(0);
    const r = JSON.parse(o.stdout);
    expect(r).toMatchObject({ profile: 'uml-2.6.26', mode: 'multi', policy: 'seed', workload: 'getpid:3+write:1x10', exit: 'exited(0)' });
    expect(Number.isInteger(r.hostSyscalls)).toBe(true);
    for (const k of ['bySyscall', 'byPtraceRequest', 'bySubRequest', 'guestEvents']) expect(isCounts(r[k]), k).toBe(true);
    expect(r.guestDigest).toMatch(/^[0-9a-f]{16}$/);
    expect(r.guestEvents['syscall:getpid']).toBe(3);
    expect(Object.keys(r.byPtraceRequest).every((k) => /^PTRACE_[A-Z_]+$/.test(k))).toBe(true);
    expect(r.console).toBe('ptsim gues'); // write:1x10: the first 10 bytes of the guest's message
    expect(typeof r.startup.hostSyscalls).toBe('number');
  });

  test('a workload file (@FILE.json) runs as its parts', { timeout: 30_000 }, async () => {
    const w = file('w.json', JSON.stringify({ name: 'mixed', parts: [{ kind: 'getpid', count: 2 }, { kind: 'write', count: 1, bytes: 5 }, { kind: 'random', seed: 3, events: 2 }] }));
    const o = await ptsim('run', '--workload', `@${w}`, '--json');
    expect(o.code).toBe(0);
    const r = JSON.parse(o.stdout);
    expect(r.workload).toBe('getpid:2+write:1x5+random:3:2');
    expect(r.guestEvents['syscall:getpid']).toBeGreaterThanOrEqual(2);
  });
});

describe('ptsim compare --json', () => {
  test('{ single, multi, saved: { hostSyscalls, fraction }, equivalent }', { timeout: 30_000 }, async () => {
    const o = await ptsim('compare', '--workload', 'getpid:10', '--profile', 'uml-6.1', '--policy', 'full', '--json');
    expect(o.code).toBe(0);
    const c = JSON.parse(o.stdout);
    expect(c.equivalent).toBe(true);
    expect(c.single.mode).toBe('single');
    expect(c.multi.mode).toBe('multi');
    expect(c.single.guestDigest).toBe(c.multi.guestDigest);
    expect(c.saved.hostSyscalls).toBe(c.single.hostSyscalls - c.multi.hostSyscalls);
    expect(c.saved.hostSyscalls).toBeGreaterThan(0);
    expect(c.saved.fraction).toBeCloseTo(c.saved.hostSyscalls / c.single.hostSyscalls, 3);
  });
});

describe('ptsim compare: the reference run', () => {
  test('a workload that toggles /proc/sysptmulti is compared with the no-merge run on the PTRACE_MULTI host', { timeout: 60_000 }, async () => {
    const spec = 'getpid:2+sysptmulti:0+getpid:1+sysptmulti:1+write:1x8';
    const [j, t] = await Promise.all([ptsim('compare', '--workload', spec, '--policy', 'full', '--json'), ptsim('compare', '--workload', spec, '--policy', 'full')]);
    expect(j.code).toBe(0);
    const c = JSON.parse(j.stdout);
    expect(c).toMatchObject({ equivalent: true, reference: 'multi-host-no-merge' });
    expect(c.broken).toBeUndefined();
    expect(c.referenceRun.byPtraceRequest.PTRACE_MULTI).toBeUndefined();
    expect(c.referenceRun.guestDigest).toBe(c.multi.guestDigest);
    expect(c.single.guestDigest).not.toBe(c.multi.guestDigest); // the stock host has no /proc/sysptmulti
    expect(c.saved.hostSyscalls).toBe(c.referenceRun.hostSyscalls - c.multi.hostSyscalls);
    expect(c.saved.hostSyscalls).toBeGreaterThan(0);
    expect(t.stdout).toMatch(/^reference: multi-host-no-merge \(the workload writes \/proc\/sysptmulti/m);
    expect(t.stdout).toContain('guest-visible runs identical');
  });

  test('otherwise the stock single run', { timeout: 30_000 }, async () => {
    const o = await ptsim('compare', '--workload', 'getpid:3', '--policy', 'full');
    expect(o.stdout).toMatch(/^reference: stock-single /m);
  });
});

describe('ptsim trace --json', () => {
  const FIELDS = ['seq', 'pid', 'syscall', 'request', 'target', 'regset', 'signal', 'result', 'errno', 'stop', 'guestEvent'];
  const nullOr = (re: RegExp) => (v: unknown) => v === null || (typeof v === 'string' && re.test(v));
  const SPELLING: Record<string, (v: unknown) => boolean> = {
    seq: Number.isInteger,
    pid: Number.isInteger,
    syscall: (v) => typeof v === 'string' && /^[a-z_0-9]+$/.test(v),
    request: nullOr(/^PTRACE_[A-Z_]+$/),
    target: (v) => v === null || Number.isInteger(v),
    regset: nullOr(/^NT_[A-Z0-9_]+$/),
    signal: nullOr(/^SIG[A-Z0-9]+$/),
    result: (v) => typeof v === 'string' && /^-?\d+$/.test(v),
    errno: nullOr(/^E[A-Z]+$/),
    stop: nullOr(/^(SIG[A-Z0-9]+(\|0x80)?|exited\(\d+\)|killed\(SIG[A-Z0-9]+\)(, core dumped)?)$/),
    guestEvent: (v) => typeof v === 'string' && /^(boot|probe|usermode_helper|halt:\d+|start_userspace|other|panic|fatal_sigsegv|syscall:[a-z_0-9]+|fault:SIG[A-Z]+|signal:SIG[A-Z]+|exit:\d+)$/.test(v),
  };

  test('one object per line per host syscall, every field, the documented spellings', { timeout: 30_000 }, async () => {
    // touch: page faults (CONT with SIGSEGV); --hz 10000 and a spin: a timer tick (SIGALRM).
    const o = await ptsim('trace', '--workload', 'touch:8192+getpid:1+spin:60000', '--hz', '10000', '--json');
    expect(o.code).toBe(0);
    const lines = o.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(100);
    for (const l of lines) {
      for (const f of FIELDS) {
        expect(l, f).toHaveProperty(f);
        expect(SPELLING[f]!(l[f]), `${f} = ${JSON.stringify(l[f])} in ${JSON.stringify(l)}`).toBe(true);
      }
    }
    expect(lines.map((l) => l.seq)).toEqual([...lines.map((l) => l.seq as number)].sort((a, b) => a - b));
    const events = new Set(lines.map((l) => l.guestEvent));
    for (const e of ['probe', 'start_userspace', 'fault:SIGSEGV', 'syscall:mmap', 'syscall:getpid', 'signal:SIGALRM', 'exit:1']) expect(events, e).toContain(e);
    const faults = lines.filter((l) => l.guestEvent === 'fault:SIGSEGV');
    expect(faults).toContainEqual(expect.objectContaining({ request: 'PTRACE_CONT', signal: 'SIGSEGV' }));
    expect(faults).toContainEqual(expect.objectContaining({ syscall: 'wait4', stop: 'SIGSEGV' }));
    expect(faults).toContainEqual(expect.objectContaining({ request: 'PTRACE_GETREGSET', regset: 'NT_X86_XSTATE' }));
    expect(lines).toContainEqual(expect.objectContaining({ request: 'PTRACE_GETREGS', signal: null, stop: null }));
    expect(lines).toContainEqual(expect.objectContaining({ syscall: 'wait4', stop: 'SIGTRAP|0x80', guestEvent: 'syscall:getpid' }));
    expect(lines).toContainEqual(expect.objectContaining({ syscall: 'wait4', stop: 'SIGALRM', guestEvent: 'signal:SIGALRM' }));
    expect(lines).toContainEqual(expect.objectContaining({ syscall: 'wait4', stop: 'exited(0)' })); // a probe child's reap
    expect(lines.at(-1)).toMatchObject({ syscall: 'wait4', stop: 'killed(SIGKILL)', guestEvent: 'exit:1' });
    expect(lines).toContainEqual(expect.objectContaining({ request: 'PTRACE_CONT', errno: 'ESRCH', result: '-1' }));
  });

  test('multi mode: PTRACE_MULTI lines carry their sub-requests', { timeout: 30_000 }, async () => {
    const o = await ptsim('trace', '--workload', 'getpid:2', '--mode', 'multi', '--policy', 'full', '--json');
    const multi = o.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.request === 'PTRACE_MULTI');
    expect(multi.length).toBeGreaterThan(0);
    for (const m of multi) for (const s of m.sub) expect(s.request).toMatch(/^PTRACE_[A-Z_]+$/);
  });

  test('the same seed gives byte-identical output', { timeout: 30_000 }, async () => {
    const args = ['trace', '--workload', 'random:9:8+sysptmulti:0+random:10:4', '--mode', 'multi', '--policy', 'full', '--seed', '5', '--json'];
    const [a, b] = await Promise.all([ptsim(...args), ptsim(...args)]);
    expect(a.code).toBe(0);
    expect(a.stdout.length).toBeGreaterThan(1000);
    expect(a.stdout).toBe(b.stdout);
  });
});

describe('ptsim probe --json', () => {
  test('messages and feature flags', { timeout: 30_000 }, async () => {
    const o = await ptsim('probe', '--kernel', 'multi', '--json');
    expect(o.code).toBe(0);
    const p = JSON.parse(o.stdout);
    expect(p).toMatchObject({ profile: 'uml-2.6.26', kernel: 'multi', boot: '', ptmultiSupported: true, sysptvmSupported: false, sysemuSupported: 2 });
    expect(p.messages).toContain('Checking ptrace multi speedup...OK');
    expect(Number.isInteger(p.hostSyscalls)).toBe(true);
  });
});

describe('bad input: one line on stderr naming the problem, exit 2, no stack trace', () => {
  const badPolicy = file('bad-policy.json', '{"name":"x",\n "rules":[{"site":"userspace","requests":["SETREGS","BOGUS"]}]}');
  const notJson = file('not-json.json', '{"name":\n');
  const badWorkload = file('bad-workload.json', JSON.stringify({ name: 'w', parts: [{ kind: 'getpid', count: 1 }, { kind: 'getpid', count: 1 }, { kind: 'getpid', count: 0 }] }));
  const cases: [string[], RegExp][] = [
    [['run', '--workload', 'getpid:10+write:3'], /part 2 'write:3'/],
    [['run', '--workload', 'getpid:10+nosuch:1'], /unknown workload 'nosuch'/],
    [['compare', '--workload', 'random:1:0'], /random:1:0.*EVENTS must be 1\.\.1000/],
    [['run', '--workload', badWorkload], /parts\[2\]\.count: must be 1\.\.1000000/],
    [['run', '--workload', `@${join(TMP, 'missing.json')}`], /cannot read .*missing\.json/],
    [['run', '--workload', 'getpid:1', '--policy', badPolicy], /rules\[0\]\.requests\[1\]: unknown request "BOGUS"/],
    [['run', '--workload', 'getpid:1', '--policy', notJson], /not JSON/],
    [['trace', '--workload', 'getpid:1', '--bogus'], /--bogus/],
    [['run', '--workload', 'getpid:1', '--boot', 'umh=lots'], /boot: umh=N needs a whole number 0\.\.10000, got 'umh=lots'/],
    [['run', '--workload', 'background:65'], /part 1 'background:65': N must be 1\.\.64/],
    [['run'], /--workload SPEC is required/],
    [['compare', '--workload', 'getpid:1', '--hz', '0'], /--hz/],
    [['run', '--workload', 'getpid:1', '--profile', 'uml-9'], /unknown profile 'uml-9'/],
  ];
  test('each case', { timeout: 60_000 }, async () => {
    const outs = await Promise.all(cases.map(([args]) => ptsim(...args)));
    cases.forEach(([args, re], i) => {
      const o = outs[i]!;
      const what = `ptsim ${args.join(' ')} → ${JSON.stringify(o)}`;
      expect(o.code, what).toBe(2);
      expect(o.stdout, what).toBe('');
      expect(o.stderr.endsWith('\n'), what).toBe(true);
      expect(o.stderr.trimEnd().split('\n'), what).toHaveLength(1);
      expect(o.stderr, what).toMatch(/^ptsim: /);
      expect(o.stderr, what).toMatch(re);
      expect(o.stderr, what).not.toMatch(/\bat .*\.ts:\d+|Error:/);
    });
  });
});

describe('--help documents the contract', () => {
  test('run, compare and trace list their JSON fields', { timeout: 30_000 }, async () => {
    const [run, compare, trace] = await Promise.all([ptsim('run', '--help'), ptsim('compare', '--help'), ptsim('trace', '--help')]);
    for (const f of ['profile', 'mode', 'policy', 'workload', 'hostSyscalls', 'bySyscall', 'byPtraceRequest', 'guestEvents', 'guestDigest']) expect(run.stdout).toContain(f);
    expect(compare.stdout).toMatch(/single, multi, saved: \{ hostSyscalls, fraction/);
    for (const f of ['seq', 'pid', 'syscall', 'request', 'target', 'regset', 'signal', 'result', 'errno', 'stop', 'guestEvent', 'fault:SIGSEGV', 'signal:SIGALRM', 'PTRACE_GETREGS', 'NT_X86_XSTATE', 'killed(SIGKILL)']) expect(trace.stdout).toContain(f);
    expect(run.stdout).toContain('docs/workloads.md');
  });
});
