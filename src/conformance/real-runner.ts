// Runs a conformance script on the real kernel: writes it to a temp file, spawns
// build/ptsim-harness on it (building the harness first with scripts/build-harness.sh if it
// is missing or older than its source) and parses the JSON lines it prints.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutputLine } from './sim-runner.ts';

export const REPO_ROOT = join(import.meta.dirname, '../..');
export const HARNESS = join(REPO_ROOT, 'build/ptsim-harness');
const SOURCES = ['harness/ptrace-harness.c', 'harness/exit0.S'].map((f) => join(REPO_ROOT, f));

export interface RealResult {
  /** The harness's exit status: 0 ok, 1 run-time error, 2 parse error, 3 the 10 s alarm. */
  readonly status: number;
  readonly lines: OutputLine[];
  readonly stderr: string;
}

/** Why the real kernel cannot be used here, or null if it can (x86_64 Linux and a C compiler). */
export function realKernelUnavailable(): string | null {
  if (process.platform !== 'linux' || process.arch !== 'x64') return `the harness needs x86_64 Linux (this is ${process.platform}/${process.arch})`;
  if (existsSync(HARNESS) && !harnessStale()) return null;
  try {
    execFileSync('sh', ['-c', 'command -v cc'], { stdio: 'ignore' });
  } catch {
    return "no C compiler ('cc') to build the harness (apt-get install gcc)";
  }
  return null;
}

function harnessStale(): boolean {
  const built = statSync(HARNESS).mtimeMs;
  return SOURCES.some((s) => existsSync(s) && statSync(s).mtimeMs > built) || !existsSync(join(REPO_ROOT, 'build/ptsim-exit0'));
}

let built = false;

/** Build build/ptsim-harness (and ptsim-exit0) unless it is up to date. Throws with the build's message. */
export function ensureHarness(): void {
  if (built) return;
  if (!existsSync(HARNESS) || harnessStale()) {
    try {
      execFileSync('bash', [join(REPO_ROOT, 'scripts/build-harness.sh')], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const err = e as { stderr?: Buffer };
      throw new Error(`building the harness failed: ${err.stderr?.toString().trim() || String(e)}`);
    }
  }
  built = true;
}

let dir: string | undefined;
let counter = 0;

function tempDir(): string {
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), 'ptsim-conformance-'));
    const d = dir;
    process.once('exit', () => rmSync(d, { recursive: true, force: true }));
  }
  return dir;
}

/** Run one script (its text) on the real kernel. */
export function runScriptOnKernel(text: string): Promise<RealResult> {
  ensureHarness();
  const file = join(tempDir(), `case-${process.pid}-${counter++}.script`);
  writeFileSync(file, text);
  return new Promise((resolve) => {
    execFile(HARNESS, [file], { timeout: 30_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      rmSync(file, { force: true });
      const status = error ? (typeof error.code === 'number' ? error.code : 124) : 0;
      const lines: OutputLine[] = [];
      for (const l of stdout.split('\n')) {
        if (!l.trim()) continue;
        try {
          lines.push(JSON.parse(l) as OutputLine);
        } catch {
          lines.push({ unparsable: l });
        }
      }
      resolve({ status, lines, stderr: stderr.trim() });
    });
  });
}

let xstateBytes: Promise<number> | undefined;

/**
 * The real host's NT_X86_XSTATE regset size (fpu_user_cfg.max_size: 2432-2696 without AMX,
 * 11008 with AMX tiles; CPU dependent, ptrace.md §8): what GETREGSET leaves in iov_len for a
 * 64 KiB buffer, asked once per process. The simulated host of a differential case is given
 * the same size (differential.ts), as the recorded fixtures carry their host's.
 */
export function realXstateBytes(): Promise<number> {
  xstateBytes ??= runScriptOnKernel('setup traceme\nchild raise SIGSTOP\nptrace GETREGSET NT_X86_XSTATE @iov:65536\nkill SIGKILL\nwait\n').then((r) => {
    const n = r.lines.find((l) => l.op === 'ptrace')?.iov_len;
    if (r.status !== 0 || typeof n !== 'number' || n < 512) throw new Error(`cannot read the host's XSTATE size (harness status ${r.status}: ${r.stderr.split('\n')[0] ?? ''})`);
    return n;
  });
  return xstateBytes;
}
