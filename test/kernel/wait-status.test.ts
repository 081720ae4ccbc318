// The wait4 status word, every form (ptrace.md §4; glibc bits/waitstatus.h): encoders,
// the W* decoders, and describeStatus, exhaustively over small domains.
import { describe, expect, test } from 'vitest';
import { SIG } from '../../src/kernel/signals.ts';
import { PTRACE_EVENT } from '../../src/kernel/task.ts';
import {
  CONTINUED_STATUS, describeStatus, exitedStatus, hexStatus, killedStatus, stoppedStatus,
  WEXITSTATUS, WIFCONTINUED, WIFEXITED, WIFSIGNALED, WIFSTOPPED, WSTOPSIG, WTERMSIG,
} from '../../src/kernel/wait-status.ts';

function forms(s: number): string[] {
  return [WIFEXITED(s) && 'exited', WIFSIGNALED(s) && 'signaled', WIFSTOPPED(s) && 'stopped', WIFCONTINUED(s) && 'continued'].filter(Boolean) as string[];
}

describe('wait status encoding', () => {
  test('exited(code) for every code: (code << 8), only WIFEXITED', () => {
    for (let code = 0; code < 256; code++) {
      const s = exitedStatus(code);
      expect(s).toBe(code << 8);
      expect(forms(s)).toEqual(['exited']);
      expect(WEXITSTATUS(s)).toBe(code);
      expect(describeStatus(s)).toBe(`exited(${code})`);
    }
    expect(exitedStatus(256 + 7)).toBe(0x700); // exit(263) is exit(7)
  });

  test('killed(sig[, core]) for every signal 1..0x7e: only WIFSIGNALED', () => {
    for (let sig = 1; sig < 0x7f; sig++) {
      for (const core of [false, true]) {
        const s = killedStatus(sig, core);
        expect(s).toBe(sig | (core ? 0x80 : 0));
        expect(forms(s)).toEqual(['signaled']);
        expect(WTERMSIG(s)).toBe(sig);
        expect(describeStatus(s).startsWith('killed(')).toBe(true);
        expect(describeStatus(s).endsWith(core ? ',core)' : ')')).toBe(true);
      }
    }
  });

  test('stopped(sig, event) for every signal and event: only WIFSTOPPED, fields round-trip', () => {
    const events = [0, ...Object.values(PTRACE_EVENT)];
    for (let sig = 1; sig <= 64; sig++) {
      for (const sysgood of [0, 0x80]) {
        if (sysgood && sig !== SIG.SIGTRAP) continue;
        for (const event of events) {
          const s = stoppedStatus(sig | sysgood, event);
          expect(s).toBe((event << 16) | ((sig | sysgood) << 8) | 0x7f);
          expect(forms(s)).toEqual(['stopped']);
          expect(WSTOPSIG(s)).toBe(sig | sysgood);
          expect(s >>> 16).toBe(event);
        }
      }
    }
  });

  test('continued is exactly 0xffff and nothing else', () => {
    expect(CONTINUED_STATUS).toBe(0xffff);
    expect(forms(CONTINUED_STATUS)).toEqual(['continued']);
    expect(describeStatus(0xffff)).toBe('continued');
  });

  test('the recorded examples decode as strace prints them (ptrace.md §4)', () => {
    const cases: [number, string][] = [
      [0x0000, 'exited(0)'],
      [0x0700, 'exited(7)'],
      [0x0009, 'killed(SIGKILL)'],
      [0x000b, 'killed(SIGSEGV)'],
      [0x137f, 'SIGSTOP'],
      [0x057f, 'SIGTRAP'],
      [0x857f, 'SIGTRAP|0x80'],
      [0x0a7f, 'SIGUSR1'],
      [0x117f, 'SIGCHLD'],
      [0x1057f, 'SIGTRAP|PTRACE_EVENT_FORK<<8'],
      [0x4057f, 'SIGTRAP|PTRACE_EVENT_EXEC<<8'],
      [0x6057f, 'SIGTRAP|PTRACE_EVENT_EXIT<<8'],
      [0x80057f, 'SIGTRAP|PTRACE_EVENT_STOP<<8'],
      [0x80137f, 'SIGSTOP|PTRACE_EVENT_STOP<<8'],
    ];
    for (const [s, text] of cases) expect(`${hexStatus(s)} ${describeStatus(s)}`).toBe(`${hexStatus(s)} ${text}`);
    expect(stoppedStatus(SIG.SIGTRAP | 0x80)).toBe(0x857f);
    expect(stoppedStatus(SIG.SIGTRAP, PTRACE_EVENT.STOP)).toBe(0x80057f);
    expect(WSTOPSIG(0x857f)).toBe(133); // not SIGTRAP: code comparing with SIGTRAP misses it
  });

  test('every 16-bit status word is in at most one form', () => {
    for (let s = 0; s <= 0xffff; s++) expect(forms(s).length).toBeLessThanOrEqual(1);
  });
});
