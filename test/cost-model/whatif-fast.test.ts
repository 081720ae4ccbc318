// The fast what-if path (whatif-file.ts: strace/call-scan.ts + whatif-tally.ts) against the
// reference (LedgerBuilder events → whatif.ts WhatIf, kept for exactly this): the same JSON and
// text reports, the same FILE:LINE errors, on random logs built from real fixture lines, lines
// made to hit each branch of the byte reader, pid/time prefixes, every builtin policy and
// profile and two policy files' shapes, strict and lenient, pushed in random chunk sizes.
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { eventBatchesFromFile, LedgerBuilder, LogError, type TraceEvent } from '../../src/cost-model/ledger-from-strace.ts';
import { FULL, SEED, validatePolicy, type Policy } from '../../src/cost-model/policy.ts';
import { loadProfile } from '../../src/cost-model/profile.ts';
import { reportJson, reportText } from '../../src/cost-model/report.ts';
import { CALL, LineScan, SIGNAL } from '../../src/cost-model/strace/call-scan.ts';
import { LineSplitter } from '../../src/cost-model/strace/scan.ts';
import { whatIfFile, WhatIfReader } from '../../src/cost-model/whatif-file.ts';
import { whatIf, whatIfBatches, type WhatIfResult } from '../../src/cost-model/whatif.ts';
import { fixtureLines as fixtureLinePool, referenceEvents, readLog, REAL_RUN, SYNTH } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'ptsim-whatif-fast-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const POLICIES: Policy[] = [
  validatePolicy(SEED),
  validatePolicy(FULL),
  validatePolicy({ ...FULL, name: 'runs3', requests: ['PTRACE_SETREGS', 'PTRACE_GETREGS', 'PTRACE_CONT', 'PTRACE_PEEKUSER', 'PTRACE_POKEUSER', 'PTRACE_GETREGSET'], maxBatch: 3 }),
  validatePolicy({ ...SEED, name: 'pairs', pairs: [{ first: ['PTRACE_GETREGS', 'PTRACE_PEEKUSER'], second: ['PTRACE_SETREGS', 'PTRACE_POKEUSER', 'PTRACE_CONT'] }, { first: ['PTRACE_SETREGS'], second: ['PTRACE_SYSEMU', 'PTRACE_CONT'] }], maxBatch: 0 }),
];
const PROFILES = ['calibrated-local', 'calibrated-unpinned', 'i386-2008', 'ppc32'].map((p) => loadProfile(p));

function report(res: WhatIfResult, lines: number, skippedLines: number, skipped: readonly { line: number; message: string }[], policy: Policy, profileIx: number): string {
  const meta = { file: 'log', lines, skippedLines, skipped, policy, profile: PROFILES[profileIx]! };
  return `${JSON.stringify(reportJson(res, meta), null, 2)}\n${reportText(res, meta)}`;
}

/** The reference: one LedgerBuilder.feed per \n-separated line, the events through whatif.ts. */
async function reference(text: string, policy: Policy, profileIx: number, lenient: boolean): Promise<string> {
  try {
    const { builder: b, events: out } = referenceEvents(text, lenient);
    const res = await whatIf(out, policy, PROFILES[profileIx]!);
    return report(res, b.lines, b.skipped, b.skippedSamples, policy, profileIx);
  } catch (e) {
    if (e instanceof LogError) return `error ${e.line}: ${e.message}`;
    throw e;
  }
}

/** The fast path, the bytes pushed in chunks of `chunk` bytes. */
function fast(text: string, policy: Policy, profileIx: number, lenient: boolean, chunk: number): string {
  try {
    const r = new WhatIfReader(policy, PROFILES[profileIx]!, { lenient });
    const split = new LineSplitter((buf, s, e, line) => r.line(buf, s, e, line));
    const bytes = Buffer.from(text, 'utf8');
    for (let i = 0; i < bytes.length; i += chunk) split.push(bytes.subarray(i, i + chunk));
    split.end();
    const run = r.finish();
    return report(run.result, run.lines, run.skippedLines, run.skipped, policy, profileIx);
  } catch (e) {
    if (e instanceof LogError) return `error ${e.line}: ${e.message}`;
    throw e;
  }
}

const fixtureLines = fixtureLinePool();
/** A register dump long enough for call-scan.ts flatStruct (the indexOf skip). */
const DUMP = 'r15=0x6002a2b0, r14=0x60044d2b, r13=0x4c07, r12=0x4c0b, rbp=0x7ffea1e80af0, rbx=0, r11=0x202, r10=0x7f737d514580';
/** Lines for each branch of call-scan.ts and whatif-file.ts, the accepted and the handed-on. */
const branchLines = [
  // long structs: flat, or with what flatStruct must not skip
  `ptrace(PTRACE_SETREGS, 9, {${DUMP}}) = 0`, `ptrace(PTRACE_SETREGS, 9, {${DUMP}, x="a)"}) = 0`, `ptrace(PTRACE_SETREGS, 9, {${DUMP}, x=[1, (2)]}) = 0`, `ptrace(PTRACE_SETREGS, 9, {${DUMP}, x=a/b}) = 0`,
  `ptrace(PTRACE_SETREGS, 9, {${DUMP}, x=/* c */}) = 0`, `ptrace(PTRACE_SETREGS, 9, {${DUMP}, x="}) = 0`, `ptrace(PTRACE_SETREGS, 9, {${DUMP}) = 0`, `ptrace(PTRACE_SETREGS, 9, {${DUMP}}, {${DUMP}}) = 0`,
  `ptrace(PTRACE_SETREGS, 9, {${DUMP}, x={1}}) = 0`, `ptrace(PTRACE_GETREGS, 9, {${DUMP}]) = 0`, `write(1, "{${DUMP}", 5) = 5`, `--- SIGCHLD {${DUMP}} ---`,
  // results: errno, annotations, `?`, hex, zero, durations, odd spacing
  'ptrace(PTRACE_CONT, 9, NULL, 0) = -1 ESRCH (No such process)', 'ptrace(PTRACE_GETREGS, 9, {rip=0x1}) = -1 EIO', 'ptrace(PTRACE_CONT, 9, NULL, 0) = ? ERESTARTSYS (To be restarted)',
  'ptrace(PTRACE_PEEKDATA, 9, 0x1000, [0x5]) = 0 <0.000012>', 'ptrace(PTRACE_POKEDATA, 9, 0x1000, 0x5) = 0x0 (ok)', 'ptrace(PTRACE_POKETEXT, 9, 0x1000, 0x5)  =  0   ',
  'ptrace(PTRACE_CONT, 9, NULL, 0) = 0x1G', 'ptrace(PTRACE_CONT, 9, NULL, 0) = -1 EPERM(x)', 'ptrace(PTRACE_CONT, 9, NULL, 0) = -1 Eperm', 'ptrace(PTRACE_CONT, 9, NULL, 0) = 0 (é)',
  'ptrace(PTRACE_CONT, 9, NULL, 0) = 0 <0.1', 'ptrace(PTRACE_CONT, 9, NULL, 0) = 0\t<0.000001>', 'ptrace(PTRACE_CONT, 9, NULL, 0) = 0 <x.1>', 'ptrace(PTRACE_CONT, 9, NULL, 0) =0',
  // requests, targets, regsets
  'ptrace(PTRACE_TRACEME) = 0', 'ptrace(PTRACE_ATTACH, 9) = 0', 'ptrace(PTRACE_SEIZE, 9, NULL, 0) = 0', 'ptrace(PTRACE_MULTI, 9, 0x7ffe, 2) = 0', 'ptrace(PTRACE_DETACH, 9, NULL, SIGCONT) = 0',
  'ptrace(PTRACE_SYSCALL, 9, NULL, 0) = 0', 'ptrace(PTRACE_ARCH_PRCTL, 9, 0x1000, 0x1003) = 0', 'ptrace(PTRACE_ARCH_PRCTL, 9, 0x1000, 0x1002) = 0', 'ptrace(PTRACE_ARCH_PRCTL, 9, 0x1000, 4100) = 0', 'ptrace(PTRACE_ARCH_PRCTL, 9, 0x1000, 0X1004) = 0',
  'ptrace(PTRACE_ARCH_PRCTL, 9, 0x1000, 0x0000000000001003) = 0', 'ptrace(PTRACE_ARCH_PRCTL, 9, 0x1000, NULL) = 0', 'ptrace(PTRACE_ARCH_PRCTL, 9, 0x1000) = 0', 'ptrace(PTRACE_ARCH_PRCTL, 9, 0x1000, 0x1003) = -1 EINVAL (Invalid argument)', 'ptrace(PTRACE_PEEKUSR, 9, 8*RAX, [0]) = 0',
  'ptrace(PTRACE_CONT, 0x9, NULL, 0) = 0', 'ptrace(PTRACE_CONT, 10, NULL, 0) = 0', 'ptrace(PTRACE_CONT,\t9, NULL, 0) = 0', 'ptrace( PTRACE_CONT , 9 , NULL , 0 ) = 0', 'ptrace(PTRACE_CONT) = 0',
  'ptrace(PTRACE_GETREGSET, 9, NT_PRSTATUS, {iov_base=0x7ffe, iov_len=216}) = 0', 'ptrace(PTRACE_SETREGSET, 9, NT_X86_XSTATE, {iov_base=0x6e01, iov_len=2696 => 2432}) = 0',
  'ptrace(PTRACE_GETREGSET, 9, NT_PRSTATUS, {iov_base=0x7ffe, iov_len=216 => x}) = 0', 'ptrace(PTRACE_GETREGSET, 9, NT_PRSTATUS) = 0', 'ptrace(PTRACE_GETREGSET, 9, NT_PRSTATUS, {iov_len=8, iov_base=0}) = 0',
  'ptrace(PTRACE_GETREGSET, 9, NT_PRSTATUS, {iov_base=0x7ffe, iov_len=216}) = -1 EIO (Input/output error)', 'ptrace(PTRACE_SETREGS, 9, {a=[1, {2}], b=(3)}) = 0', 'ptrace(PTRACE_SETREGS, 9, {a=[1}]) = 0',
  // wait4: statuses decoded only for a returned pid, options always
  'wait4(9, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGBOGUS}], 0, NULL) = 9', 'wait4(9, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGBOGUS}], 0, NULL) = 0', 'wait4(9, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGBOGUS}], 0, NULL) = -1 ECHILD (No child processes)',
  'wait4(9, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGTRAP | 0x80}], WNOHANG|__WALL, NULL) = 9', 'wait4(9, [{WIFEXITED(s) && WEXITSTATUS(s) == 1}], 0x40000000, NULL) = 9', 'wait4(-1, 0x7ffe1234, WNOHANG, NULL) = 9',
  'wait4(9, NULL, WBOGUS|WNOHANG, NULL) = 0', 'wait4(9, NULL, "x", NULL) = 0', 'wait4(9, NULL) = 0', 'wait4(9, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}], 0, {ru_utime={tv_sec=0, tv_usec=1}}) = 9',
  // other syscalls: strings, escapes, brackets in strings, comments, process_vm_*
  'write(2, "a(b]{\\"c", 8) = 8', 'write(1, "\\\\", 1) = 1', 'write(1, "unterminated, 1) = 1', 'write(1, "x"..., 100) = 100', 'getpid() = 77', 'getpid( ) = 77', 'close(3, ) = 0', 'sched_yield(/* c */) = 0',
  'process_vm_readv(9, [{iov_base=0x1, iov_len=64}], 1, [{iov_base=0x2, iov_len=64}], 1, 0) = 64', 'process_vm_writev(9, [], 1, [], 1, 0) = -1 ESRCH (No such process)', 'kill(9, SIGKILL) = 0', 'foo (1) = 0', 'f9_x(1) = 0',
  'exit_group(0) = ?', 'close(3) = -1 EBADF (Bad file descriptor) <0.000003>', 'x(a/b) = 0', 'x(a/', 'x("é", [1]) = 0',
  // signals and exits
  '--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10} ---', '--- SIGCHLD {si_signo=SIGCHLD, a="}{", b=[1, (2)]} ---', '--- SIGCHLD {a=é} ---', '--- SIGCHLD {a="é"} ---', '--- SIGCHLD {a="\u2028"} ---', '--- SIGCHLD {a=\u2029} ---', 'ptrace(PTRACE_CONT, 9, NULL, 0) = 0 (\u2028)',
  '--- SIGCHLD {a=[1} ---', '--- SIGCHLD {a} {b} ---', '--- SIGCHLD {a=/* x */} ---', '--- stopped by SIGSTOP ---', '--- SIGCHLD {a}  ---', '--- SIGALRM {si_signo=SIGALRM} @ 0 ---',
  // signal structs with comments (strace's `si_utime=11 /* 0.11 s */`), read in place when the comment ends inside the struct
  '--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_TRAPPED, si_pid=9, si_uid=0, si_status=SIGTRAP, si_utime=11 /* 0.11 s */, si_stime=0} ---',
  '--- SIGCHLD {a=1 /* x */} ---', '--- SIGCHLD {a=1 /* x} ---', '--- SIGCHLD {a=1 /* ( [ " { */, b=2} ---', '--- SIGCHLD {a=1 /* é */} ---', '--- SIGCHLD {a=1 /**/} ---', '--- SIGCHLD {a=1 /*/} ---',
  '--- SIGCHLD {a=1 /* x *} ---', '--- SIGCHLD {a=1 /* x */ /* y */, b=[2]} ---', '--- SIGCHLD {a=1 /* x *\/} ---',
  // long runs inside a struct or a signal line (skipped a word at a time), with what stops the skip at every offset
  ...['', 'x="}", ', 'x=(1), ', 'x=[1], ', 'x={1}, ', 'x=é, ', 'x=/* c */, ', 'x=a/b, ', 'x="é", ', 'x="\\"", '].flatMap((extra) => [0, 1, 2, 3, 5, 7].flatMap((pad) => {
    const head = `si_signo=SIGTRAP, ${'w'.repeat(pad)}si_code=SI_KERNEL, `;
    return [`ptrace(PTRACE_GETSIGINFO, 9, NULL, {${head}${extra}si_addr=NULL}) = 0`, `--- SIGCHLD {${head}${extra}si_pid=9, si_uid=0} ---`];
  })),
  'ptrace(PTRACE_GETSIGINFO, 9, NULL, {si_signo=SIGTRAP, si_code=SI_KERNEL, si_addr=NULL]) = 0', '--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_TRAPPED, si_pid=9, si_uid=0]} ---',
  '+++ exited with 0 +++', '+++ killed by SIGKILL +++', 'strace: Process 9 attached', '   ', 'ptrace(PTRACE_CONT, 9, NULL, 0 <unfinished ...>', '<... ptrace resumed>) = 0',
];
const PREFIXES = [
  '', '4100  10:00:00.000100 ', '[pid  4200] 1700000000.000001 ', '4101 ', '[pid 4201] ', '[pid 4202]  ', '4102\t', '99999999999999999 ', '10:00:00 ', '10:00:00.123456789  ',
  '10:00:00.1234567890 ', '1700000000.1 ', '1700000000. ', '4103 1700000000.000001 [00007f1234567890] ', '100:00:00 ', '4104  10:00:00.000100\t', '4105 10:00:0 ', '4106 1:00:00 ', '[pid 7] 10:00:00.5 ',
];
const line = fc.tuple(
  fc.oneof({ arbitrary: fc.constantFrom(...fixtureLines), weight: 6 }, { arbitrary: fc.constantFrom(...branchLines), weight: 2 }),
  fc.nat({ max: PREFIXES.length - 1 }),
).map(([l, p]) => `${PREFIXES[p]}${l}`);

describe('fast what-if ≡ reference what-if', () => {
  test('random logs: the same JSON and text report, the same errors (every policy and profile, strict and lenient, any chunking)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { minLength: 1, maxLength: 50 }), fc.nat({ max: POLICIES.length - 1 }), fc.nat({ max: PROFILES.length - 1 }), fc.boolean(), fc.integer({ min: 1, max: 400 }),
        async (lines, pol, prof, lenient, chunk) => {
          const text = `${lines.join('\n')}\n`;
          expect(fast(text, POLICIES[pol]!, prof, lenient, chunk)).toBe(await reference(text, POLICIES[pol]!, prof, lenient));
        },
      ),
      { numRuns: 400 },
    );
  });

  test('a byte that stops the word-at-a-time skip, at every offset of a long struct and every alignment', async () => {
    const stops = ['"x"', '(', ')', '[', ']', '{', '}', 'é', '/* c */', '/', '\u2028'];
    for (const stop of stops) {
      for (let at = 0; at <= 40; at++) {
        const inner = `${'a'.repeat(at)}${stop}${'b'.repeat(40 - at)}`;
        for (const l of [`--- SIGCHLD {si_signo=SIGCHLD, ${inner}} ---`, `ptrace(PTRACE_GETSIGINFO, 9, NULL, {si_signo=SIGTRAP, ${inner}}) = 0`]) {
          for (let shift = 0; shift < 4; shift++) {
            const text = `${'\n'.repeat(shift)}${l}\nptrace(PTRACE_CONT, 9, NULL, 0) = 0\n`;
            expect(fast(text, POLICIES[1]!, 0, true, 1 << 16)).toBe(await reference(text, POLICIES[1]!, 0, true));
          }
        }
      }
    }
  });

  test('long runs of one caller (batches of every length, maxBatch cuts, pairs)', async () => {
    const run = ['ptrace(PTRACE_GETREGS, 9, {rip=0x1})', 'ptrace(PTRACE_PEEKUSER, 9, 8*RAX, [0])', 'ptrace(PTRACE_POKEUSER, 9, 8*RAX, 0x1)', 'ptrace(PTRACE_SETREGS, 9, {rip=0x2})', 'ptrace(PTRACE_GETSIGINFO, 9, NULL, {si_signo=SIGTRAP})', 'ptrace(PTRACE_CONT, 9, NULL, 0)', 'ptrace(PTRACE_SYSEMU, 9, NULL, 0)',
      'ptrace(PTRACE_CONT, 9, NULL, SIGSEGV)', 'ptrace(PTRACE_CONT, 9, NULL, NULL)', 'ptrace(PTRACE_CONT, 9, 0x1, 0x5)',
      'ptrace(PTRACE_PEEKDATA, 9, 0x1000, [0x5])', 'ptrace(PTRACE_POKEDATA, 9, 0x1000, 0x5)', 'ptrace(PTRACE_GETREGSET, 9, NT_PRSTATUS, {iov_base=0x7ffe, iov_len=216})'];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat({ max: run.length - 1 }), fc.boolean()), { minLength: 1, maxLength: 80 }), fc.nat({ max: POLICIES.length - 1 }), fc.nat({ max: PROFILES.length - 1 }), async (calls, pol, prof) => {
        const text = calls.map(([i, fail]) => `${run[i]} = ${fail ? '-1 ESRCH (No such process)' : '0'}`).join('\n') + '\n';
        expect(fast(text, POLICIES[pol]!, prof, false, 1 << 16)).toBe(await reference(text, POLICIES[pol]!, prof, false));
      }),
      { numRuns: 150 },
    );
  });

  test('host processes created by the caller and by stubs (cross-cpu.ts classes): the same wake-ups, before and after batching', async () => {
    const pids = [20, 21, 22, 40];
    const pool = [
      ...pids.flatMap((p) => [`ptrace(PTRACE_CONT, ${p}, NULL, 0)`, `ptrace(PTRACE_SYSEMU, ${p}, NULL, 0)`, `ptrace(PTRACE_OLDSETOPTIONS, ${p}, NULL, PTRACE_O_TRACESYSGOOD)`, `ptrace(PTRACE_SETOPTIONS, ${p}, NULL, PTRACE_O_TRACESYSGOOD)`, `ptrace(PTRACE_SETREGS, ${p}, {rax=0})`, `ptrace(PTRACE_CONT, ${p}, NULL, SIGSEGV)`]).map((l) => [l, true] as const),
      ...pids.flatMap((p) => [`fork() = ${p}`, `clone(child_stack=NULL, flags=CLONE_VM|SIGCHLD) = ${p}`, `vfork() = ${p}`, `clone3({flags=CLONE_VM, exit_signal=SIGCHLD}, 88) = ${p}`, `wait4(${p}, NULL, __WALL, NULL) = ${p}`]).map((l) => [l, false] as const),
      ['fork() = -1 EAGAIN (Resource temporarily unavailable)', false] as const, ['clone(child_stack=NULL, flags=CLONE_VM) = ? <unavailable>', false] as const,
    ];
    const unpinned = PROFILES.findIndex((p) => p.name === 'calibrated-unpinned'); // the one profile with crossCpuRates
    const ptraceLines = pool.filter(([, p]) => p).length;
    const pick = fc.oneof({ arbitrary: fc.nat({ max: ptraceLines - 1 }), weight: 4 }, { arbitrary: fc.integer({ min: ptraceLines, max: pool.length - 1 }), weight: 1 });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(pick, fc.nat({ max: 4 }), fc.constantFrom('', '4100 ')), { minLength: 1, maxLength: 60 }), fc.nat({ max: POLICIES.length - 1 }), async (picks, pol) => {
        const text = picks.map(([i, fail, pre]) => { const [l, ptrace] = pool[i]!; return `${pre}${ptrace ? `${l} = ${fail === 0 ? '-1 ESRCH (No such process)' : '0'}` : l}`; }).join('\n') + '\n';
        expect(fast(text, POLICIES[pol]!, unpinned, true, 1 << 16)).toBe(await reference(text, POLICIES[pol]!, unpinned, true));
      }),
      { numRuns: 300 },
    );
  });

  test('ARCH_PRCTL read in place: its code decides read or write (a write after it ends the run, R5)', async () => {
    for (const code of ['0x1001', '0x1002', '0x1003', '0x1004', '4099', '4100', '0x0000000000001004', '0X1003', 'NULL', 'ARCH_GET_FS']) {
      const text = [`ptrace(PTRACE_ARCH_PRCTL, 9, 0x1000, ${code}) = 0`, 'ptrace(PTRACE_SETREGS, 9, {rip=0x2}) = 0', 'ptrace(PTRACE_CONT, 9, NULL, 0) = 0', ''].join('\n');
      for (const [i, policy] of POLICIES.entries()) expect(fast(text, policy, i % PROFILES.length, true, 1 << 16)).toBe(await reference(text, policy, i % PROFILES.length, true));
    }
  });

  test('`[…]` arguments passed over once known (call-scan.ts knownGroup): the same reading as bracket by bracket, the first time and after', async () => {
    const lines = [
      'wait4(9, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 9', 'wait4(9, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}] , 0, NULL) = 9', 'wait4(9,[{WIFEXITED(s) && WEXITSTATUS(s) == 0}],0,NULL) = 9',
      'wait4(9, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGBOGUS}], 0, NULL) = 9', 'wait4(9, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGTRAP | 0x80}], __WALL, NULL) = 9',
      'wait4(9, ["]"], 0, NULL) = 9', 'wait4(9, ["]", 1], 0, NULL) = 9', 'wait4(9, [a] [b], 0, NULL) = 9', 'wait4(9, x[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 9',
      'wait4(9, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}]x, 0, NULL) = 9', 'wait4(9, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSEGV}], 0, NULL) = 9', 'wait4(9, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSEGV}]x, 0, NULL) = 9',
      'wait4(9, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSEGV}] [1], 0, NULL) = 9', 'wait4(9, [[{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSEGV}]], 0, NULL) = 9', 'wait4(9, ["]", [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSEGV}]], 0, NULL) = 9', 'wait4(9, [[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]], 0, NULL) = 9', 'wait4(9, [{WIFEXITED(s) /* c */}], 0, NULL) = 9',
      'wait4(9, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}, 0, NULL) = 9', 'wait4(9, [{WIFEXITED(s) && WEXITSTATUS(s) == 0)], 0, NULL) = 9', 'wait4(9, [(]), 0, NULL) = 9', 'wait4(9, [1]], 0, NULL) = 9',
      'ptrace(PTRACE_PEEKUSER, 9, 8*RAX, [0x27]) = 0', 'ptrace(PTRACE_PEEKUSER, 9, 8*RAX, [0x27] ) = 0', 'f([1], [1], [[1]]) = 0', 'f([1] "x]") = 0', 'f([1]) = 0', 'f([1) = 0', 'f([1]]) = 0',
    ];
    for (const first of lines) {
      for (const second of lines) {
        const text = [first, 'ptrace(PTRACE_CONT, 9, NULL, 0) = 0', second, first, second, ''].join('\n');
        expect(fast(text, POLICIES[1]!, 0, true, 1 << 16)).toBe(await reference(text, POLICIES[1]!, 0, true));
      }
    }
  });

  test('LineScan read out of order in one buffer: the skip of long structs does not trust stale positions', () => {
    const good = `ptrace(PTRACE_SETREGS, 9, {${DUMP}}) = 0`;
    const line = `ptrace(PTRACE_SETREGS, 9, {"${DUMP}, ${good}`; // an unterminated string: the reference rejects it
    const b = Buffer.from(line);
    const sc = new LineScan();
    expect(sc.scan(b, line.length - good.length, line.length)).toBe(CALL); // its tail alone is a call
    expect(sc.scan(b, 0, line.length)).not.toBe(CALL);
  });

  test('the fast path reads the bulk of a real log itself (the property is not vacuous)', () => {
    const lines = readLog(REAL_RUN).split('\n').filter((l) => l);
    const sc = new LineScan();
    const taken = lines.filter((l) => { const b = Buffer.from(l); const k = sc.scan(b, 0, b.length); return k === CALL || k === SIGNAL; }).length;
    expect(taken / lines.length).toBeGreaterThan(0.95);
  });

  test('a plain file read in pieces of every size: a read boundary at every byte gives the same report', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 8 }), fc.nat({ max: POLICIES.length - 1 }), fc.boolean(), fc.boolean(), async (lines, pol, lenient, lastNewline) => {
        const text = `${lines.join('\n')}${lastNewline ? '\n' : ''}`;
        const path = join(tmp, 'pieces.strace');
        writeFileSync(path, text);
        const want = fast(text, POLICIES[pol]!, 0, lenient, 1 << 20);
        const size = Buffer.byteLength(text);
        for (let chunk = 1; chunk <= size + 1; chunk++) {
          let got: string;
          try {
            const run = await whatIfFile(path, POLICIES[pol]!, PROFILES[0]!, { lenient, plainChunkBytes: chunk });
            got = report(run.result, run.lines, run.skippedLines, run.skipped, POLICIES[pol]!, 0);
          } catch (e) {
            if (!(e instanceof LogError)) throw e;
            got = `error ${e.line}: ${e.message}`;
          }
          expect(got).toBe(want);
        }
        expect(want).toBe(await reference(text.endsWith('\n') ? text : `${text}\n`, POLICIES[pol]!, 0, lenient));
      }),
      { numRuns: 12 },
    );
  });

  test('files, plain and gzip: whatIfFile gives the reference report (whatIfBatches over eventBatchesFromFile)', async () => {
    const plain = join(tmp, 'run.strace');
    const text = readLog(`${SYNTH}multi-pid-tt-T.strace`) + readLog(REAL_RUN);
    writeFileSync(plain, text);
    const gz = join(tmp, 'run.strace.gz');
    writeFileSync(gz, gzipSync(text));
    for (const path of [plain, gz]) {
      for (const [i, policy] of POLICIES.entries()) {
        const b = new LedgerBuilder({ lenient: true });
        const ref = await whatIfBatches(eventBatchesFromFile(path, { builder: b, lenient: true }), policy, PROFILES[i % PROFILES.length]!);
        const run = await whatIfFile(path, policy, PROFILES[i % PROFILES.length]!, { lenient: true });
        expect(report(run.result, run.lines, run.skippedLines, run.skipped, policy, i % PROFILES.length)).toBe(report(ref, b.lines, b.skipped, b.skippedSamples, policy, i % PROFILES.length));
      }
    }
  });
});
