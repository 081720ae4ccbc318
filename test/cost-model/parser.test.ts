// Line parser: each line kind strace prints, the argument tokenizer, ptrace/wait4 decoding.
import { describe, expect, it } from 'vitest';
import { parseLine } from '../../src/cost-model/strace/line.ts';
import { splitArgs } from '../../src/cost-model/strace/tokenize.ts';
import { decodeWaitStatus } from '../../src/cost-model/strace/decode.ts';
import { eventsFromText, ledgerFromText, LogError } from '../../src/cost-model/ledger-from-strace.ts';
import { PTRACE } from '../../src/ptrace/numbers.ts';
import { readLog, SYNTH } from './helpers.ts';

describe('tokenizer', () => {
  it('splits at top-level commas only, keeping strings, structs and arrays whole', () => {
    expect(splitArgs('1, "a, \\"b\\"", {x=1, y=[2, 3]}, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGTRAP}], NULL')).toEqual([
      '1', '"a, \\"b\\""', '{x=1, y=[2, 3]}', '[{WIFSTOPPED(s) && WSTOPSIG(s) == SIGTRAP}]', 'NULL',
    ]);
  });
  it('drops /* comments */ and keeps truncated strings', () => {
    expect(splitArgs('0x4300 /* PTRACE_??? */, 5')).toEqual(['0x4300', '5']);
    expect(splitArgs('2, "Checking that ptrace can change "..., 54')).toEqual(['2', '"Checking that ptrace can change "...', '54']);
  });
  it('refuses unbalanced brackets', () => {
    expect(() => splitArgs('{a=1')).toThrow(/unbalanced/);
  });
});

describe('line kinds', () => {
  it('plain call, no prefix', () => {
    const l = parseLine('ptrace(PTRACE_SYSEMU, 20024, NULL, 0)   = 0');
    expect(l).toMatchObject({ kind: 'call', pid: null, timeUs: null, name: 'ptrace', args: ['PTRACE_SYSEMU', '20024', 'NULL', '0'], result: { ret: 0n, errno: null }, durationUs: null });
  });
  it('-f pid column (with -o) and [pid N] (on a terminal)', () => {
    expect(parseLine('4100  getpid() = 4100')).toMatchObject({ pid: 4100, name: 'getpid' });
    expect(parseLine('[pid    77] getppid() = 76')).toMatchObject({ pid: 77, name: 'getppid', result: { ret: 76n } });
  });
  it('-t, -tt, -ttt timestamps and -T durations', () => {
    expect(parseLine('10:00:01 getpid() = 1')).toMatchObject({ timeUs: 36001e6 });
    expect(parseLine('10:00:01.000250 getpid() = 1 <0.000012>')).toMatchObject({ timeUs: 36001e6 + 250, durationUs: 12 });
    expect(parseLine('1700000000.000100 getpid() = 1')).toMatchObject({ timeUs: 1700000000e6 + 100 });
    expect(parseLine('12 1700000000.5 getpid() = 1')).toMatchObject({ pid: 12, timeUs: 1700000000.5e6 });
  });
  it('errors, ERESTARTSYS and unknown results', () => {
    expect(parseLine('ptrace(PTRACE_CONT, 20024, NULL, 2103432010) = -1 ESRCH (No such process)')).toMatchObject({ result: { ret: -1n, errno: 'ESRCH' } });
    expect(parseLine('wait4(20024, 0x7ffe5e0, WSTOPPED|__WALL, NULL) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)')).toMatchObject({ result: { ret: null, errno: 'ERESTARTSYS' } });
    expect(parseLine('exit_group(0)                     = ?')).toMatchObject({ result: { ret: null, errno: null } });
  });
  it('unfinished and resumed halves re-join into one call', () => {
    expect(parseLine('4100  wait4(4200,  <unfinished ...>')).toMatchObject({ kind: 'unfinished', pid: 4100, name: 'wait4', head: 'wait4(4200, ' });
    expect(parseLine('4100  <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 4200')).toMatchObject({ kind: 'resumed', name: 'wait4' });
    const ev = eventsFromText(['4100  wait4(4200,  <unfinished ...>', '4200  getpid() = 4200', '4100  <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 4200'].join('\n'));
    const c = ev.flatMap((e) => (e.kind === 'call' ? [e.call] : []));
    expect(c.map((x) => [x.entry.syscall, x.entry.pid, x.startLine, x.line])).toEqual([['getpid', 4200, 2, 2], ['wait4', 4100, 1, 3]]);
    expect(c[1]!.entry.wait).toEqual({ status: 0 });
  });
  it('signal and exit lines', () => {
    expect(parseLine('--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_TRAPPED, si_pid=1, si_uid=0, si_status=SIGTRAP, si_utime=11 /* 0.11 s */, si_stime=0} ---')).toMatchObject({ kind: 'signal', signal: 'SIGCHLD' });
    expect(parseLine('[pid 5] --- stopped by SIGSTOP ---')).toMatchObject({ kind: 'signal', pid: 5, signal: 'SIGSTOP' });
    expect(parseLine('+++ exited with 0 +++')).toMatchObject({ kind: 'exit', how: 'exited', value: '0' });
    expect(parseLine('+++ killed by SIGABRT +++')).toMatchObject({ kind: 'exit', how: 'killed', value: 'SIGABRT' });
    expect(parseLine('77 +++ killed by SIGSEGV (core dumped) +++')).toMatchObject({ kind: 'exit', pid: 77 });
  });
});

describe('ptrace and wait4 decoding', () => {
  it('requests, regsets with their moved length, resume signals, user offsets', () => {
    const [a, b, c, d, e] = ledgerFromText([
      'ptrace(PTRACE_GETREGSET, 20024, NT_X86_XSTATE, {iov_base=0x6e018858, iov_len=2696 => 2432}) = 0',
      'ptrace(PTRACE_CONT, 20024, NULL, SIGSEGV) = 0',
      'ptrace(PTRACE_POKEUSER, 19464, 8*ORIG_RAX, 0x6e) = 0',
      'ptrace(PTRACE_KILL, 20024)              = 0',
      'ptrace(0x4300 /* PTRACE_??? */, 20024, 0x7ffe0000, 2) = -1 EIO (Input/output error)',
    ].join('\n'));
    expect(a!.ptrace).toEqual({ request: PTRACE.GETREGSET, requestName: 'PTRACE_GETREGSET', target: 20024, regset: 'NT_X86_XSTATE' });
    expect(a!.args).toEqual([BigInt(PTRACE.GETREGSET), 20024n, 0x202n, 0n]);
    expect(b!.ptrace).toMatchObject({ requestName: 'PTRACE_CONT', signal: 11 });
    expect(c!.args).toEqual([6n, 19464n, 120n, 0x6en]);
    expect(d!.ptrace).toMatchObject({ requestName: 'PTRACE_KILL', target: 20024 });
    expect(e).toMatchObject({ ret: -1n, errno: 'EIO', ptrace: { request: PTRACE.MULTI } });
    const ev = eventsFromText('ptrace(PTRACE_SETREGSET, 1, NT_X86_XSTATE, {iov_base=0x1, iov_len=2696 => 2432}) = 0');
    expect(ev[0]!.kind === 'call' && ev[0]!.call.transferBytes).toBe(2432);
  });
  it('wait statuses re-encoded as the kernel returns them', () => {
    expect(decodeWaitStatus('[{WIFSTOPPED(s) && WSTOPSIG(s) == SIGTRAP | 0x80}]')).toBe(0x857f);
    expect(decodeWaitStatus('[{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSEGV}]')).toBe(0xb7f);
    expect(decodeWaitStatus('[{WIFSTOPPED(s) && WSTOPSIG(s) == SIGTRAP && s >> 16 == PTRACE_EVENT_FORK}]')).toBe(0x1057f);
    expect(decodeWaitStatus('[{WIFEXITED(s) && WEXITSTATUS(s) == 3}]')).toBe(0x300);
    expect(decodeWaitStatus('[{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}]')).toBe(9);
    expect(decodeWaitStatus('[{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}]')).toBe(0x8b);
    expect(decodeWaitStatus('[{WIFCONTINUED(s)}]')).toBe(0xffff);
    expect(decodeWaitStatus('NULL')).toBeNull();
    expect(decodeWaitStatus('0x7ffe5e0')).toBeNull();
  });
  it('the synthetic -f -tt -T log: pids, clock from the first timestamp, abandoned and interrupted calls', () => {
    const ev = eventsFromText(readLog(`${SYNTH}multi-pid-tt-T.strace`));
    const c = ev.flatMap((e) => (e.kind === 'call' ? [e.call] : []));
    expect(c.length).toBe(18);
    expect(c[0]!.entry.clockNs).toBe(0);
    expect(c[1]!.entry.clockNs).toBe(10_000);
    expect(c[0]!.durationUs).toBe(4);
    expect(new Set(c.map((x) => x.entry.pid))).toEqual(new Set([4100, 4200, 4300]));
    expect(c.find((x) => x.entry.errno === 'ERESTARTSYS')!.entry.wait).toEqual({ status: null });
    expect(ev.filter((e) => e.kind === 'signal').map((e) => e.kind === 'signal' && e.signal)).toEqual(['SIGCHLD', 'SIGALRM']);
    expect(ev.filter((e) => e.kind === 'exit').length).toBe(3);
  });
  it('-ttt with [pid N] and -t (whole seconds) logs parse', () => {
    expect(ledgerFromText(readLog(`${SYNTH}bracket-pid-ttt.strace`)).map((e) => e.pid)).toEqual([0, 77, 0, 0, 0, 0, 0, 0]);
    expect(ledgerFromText(readLog(`${SYNTH}t-seconds.strace`)).map((e) => e.clockNs)).toEqual([0, 1e9, 2e9]);
  });
});

describe('bad input', () => {
  it('a malformed line fails with its line number', () => {
    let err: unknown;
    try {
      eventsFromText(readLog(`${SYNTH}malformed.strace`));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LogError);
    expect((err as LogError).line).toBe(3);
  });
  it('--lenient counts and skips it', () => {
    const ev = eventsFromText(readLog(`${SYNTH}malformed.strace`), { lenient: true });
    expect(ev.length).toBe(3);
  });
  it.each([
    ['garbage line', 1],
    ['ptrace(PTRACE_BOGUS, 1, NULL, 0) = 0', 1],
    ['<... wait4 resumed>) = 0', 1],
    ['wait4(1, [{WIFWHAT(s)}], 0, NULL) = 1', 1],
    ['getpid() = 1\n--- SIGCHLD {oops ---', 2],
  ])('%j → error at line %i', (text, line) => {
    expect(() => eventsFromText(text)).toThrow(LogError);
    try {
      eventsFromText(text);
    } catch (e) {
      expect((e as LogError).line).toBe(line);
    }
  });
});
