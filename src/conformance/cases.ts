// The table of known cases: ptrace tests from LTP (ptrace01–ptrace11), the kernel's
// tools/testing/selftests/ptrace and gVisor's test/syscalls/linux/ptrace.cc, ported to the
// conformance script form (test/fixtures/ported/NAME.script, each naming its source in its
// header), plus the cases where the model differs on purpose (PTRACE_MULTI, PTRACE_SYSVM).
// Their real-kernel output is recorded beside them (NAME.expected.jsonl, by
// `FIXTURE_DIR=test/fixtures/ported bash scripts/record-fixtures.sh`).
//
// ALLOW_LIST: output lines where the simulator may differ, each with its reason.
// NOT_PORTED: parts of the source suites that have no script form, each with its reason.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './real-runner.ts';

export const PORTED_DIR = join(REPO_ROOT, 'test/fixtures/ported');

export interface TableCase {
  readonly name: string;
  /** The upstream test it is ported from. */
  readonly source: string;
  readonly script: string;
  /** The recorded real-kernel output (JSON lines), if recorded. */
  readonly expected: string | null;
}

export interface AllowEntry {
  readonly name: string;
  /** Script line numbers whose output may differ. */
  readonly lines: readonly number[];
  readonly reason: string;
}

const SUD = 'syscall user dispatch is not modelled: the model answers GET_SYSCALL_USER_DISPATCH_CONFIG with EIO and SET with EINVAL (request table: not-modelled / partial)';

export const ALLOW_LIST: readonly AllowEntry[] = [
  { name: 'selftest-get-set-sud', lines: [7, 12, 13, 14], reason: SUD },
  { name: 'selftest-peeksiginfo', lines: [12, 14, 15, 16], reason: 'PTRACE_PEEKSIGINFO is not modelled (request table: not-modelled → EIO); the stops around it are compared' },
  { name: 'selftest-set-syscall-info', lines: [11], reason: 'PTRACE_SET_SYSCALL_INFO (0x4212, Linux 6.16) is not in the model (EIO)' },
];

/** Tests (or parts) of the three suites that are not ported, and why. */
export const NOT_PORTED: readonly { readonly source: string; readonly reason: string }[] = [
  { source: 'LTP ptrace01/ptrace02 case 2 (SIGUSR2 handler)', reason: 'the child ISA has no signal handlers; the SIG_IGN case is ported' },
  { source: 'LTP ptrace03 case 1, ptrace11 (PTRACE_ATTACH to pid 1)', reason: 'pid 1 is the recording machine\'s init: the script parser refuses ATTACH/SEIZE of init' },
  { source: 'LTP ptrace07 xmm0 check loop', reason: 'no FPU instructions in the child ISA; the SETREGSET part is ported' },
  { source: 'LTP ptrace09 `mov ss` + watchpoint hit', reason: 'no `mov ss` in the child ISA and hardware breakpoints do not fire in the model; the DR0/DR7 set-up is ported' },
  { source: 'selftests/ptrace/vmaccess.c', reason: 'needs threads and /proc/PID/mem' },
  { source: 'gVisor AttachSameThreadGroup, TraceDescendantsAllowed, PtraceExecveTest non-leader thread', reason: 'the child has no threads' },
  { source: 'gVisor TraceParentNotAllowed, TraceNonDescendant*, Prctl* (Yama, PR_SET_PTRACER, capabilities)', reason: 'the tracer is always the parent and root; Yama is not modelled' },
  { source: 'gVisor ExitWhenParentIsNotTracer_Syscall_TraceVfork_TraceVforkDone', reason: 'vfork: the child ISA forks only with the child exiting at once' },
];

/** Cases where the model's stock configuration is checked against the real kernel on purpose. */
export const DIFFERS_ON_PURPOSE: readonly { readonly name: string; readonly reason: string }[] = [
  { name: 'multi-stock-eio', reason: 'PTRACE_MULTI 0x4300–0x4303 exists only in the patched model; stock: EIO stopped / ESRCH running' },
  { name: 'sysvm-stock-singleblock', reason: 'PTRACE_SYSVM (33) and the 2008 skip flags exist only in the patched model; stock: 33 = SINGLEBLOCK, flags ignored' },
];

function sourceOf(text: string): string {
  const first = text.split('\n').find((l) => l.startsWith('#')) ?? '';
  return first.replace(/^#\s*/, '').replace(/[,:].*$/, '').trim();
}

/** Every ported case, in name order. */
export function loadTableCases(dir = PORTED_DIR): TableCase[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.script'))
    .sort()
    .map((f) => {
      const script = readFileSync(join(dir, f), 'utf8');
      let expected: string | null = null;
      try {
        expected = readFileSync(join(dir, f.replace(/\.script$/, '.expected.jsonl')), 'utf8');
      } catch {
        expected = null;
      }
      return { name: f.replace(/\.script$/, ''), source: sourceOf(script), script, expected };
    });
}

/** The allow-list entry covering this line of this case, if any. */
export function allowedBy(name: string, line: number | null): AllowEntry | undefined {
  return ALLOW_LIST.find((e) => e.name === name && line !== null && e.lines.includes(line));
}
