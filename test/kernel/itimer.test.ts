// setitimer/getitimer (src/kernel/syscalls/itimer.ts) and the driver's wait4 deadline.
import { describe, expect, it } from 'vitest';
import { Asm } from '../../src/kernel/asm.ts';
import { Kernel } from '../../src/kernel/kernel.ts';
import { stackTop } from '../../src/kernel/state.ts';
import { PTRACE } from '../../src/ptrace/numbers.ts';

/** A child: [TRACEME + SIGSTOP], setitimer(which, {interval, value} µs), then spin forever. */
function timerChild(k: Kernel, which: number, intervalUs: number, valueUs: number, traced: boolean) {
  const a = new Asm(k.arch);
  const at = stackTop(k.arch) - 0x800n;
  if (traced) a.sys('ptrace', PTRACE.TRACEME, 0, 0, 0).sys('kill', k.state.nextPid, 19);
  a.store(at, 0n).store(at + 8n, BigInt(intervalUs)).store(at + 16n, 0n).store(at + 24n, BigInt(valueUs));
  a.sys('setitimer', which, at, 0).spinForever();
  return a.build('/itimer-child');
}

describe('interval timers', () => {
  it('ITIMER_VIRTUAL: a traced spinner stops with SIGVTALRM after its own CPU time, every interval', () => {
    const k = new Kernel({ insnNs: 10 });
    const tracer = k.spawnExternal('tracer');
    const pid = Number(k.forkChild(tracer, timerChild(k, 1, 5, 5, true)).ret);
    expect(k.wait4(tracer, pid, 0).status).toBe(0x137f);
    const stops: number[] = [];
    for (let i = 0; i < 3; i++) {
      k.ptrace(tracer, PTRACE.CONT, pid, 0n, 0n);
      const w = k.wait4(tracer, pid, 0);
      stops.push(k.task(pid)!.insnCount);
      expect(w.status).toBe((26 << 8) | 0x7f);
    }
    // 5 µs of CPU = 500 instructions at 10 ns each, between consecutive stops.
    expect(stops[2]! - stops[1]!).toBe(500);
    expect(stops[1]! - stops[0]!).toBe(500);
  });

  it('ITIMER_REAL: SIGALRM at the deadline on the simulated clock kills an untraced spinner', () => {
    const k = new Kernel({ insnNs: 10 });
    const parent = k.spawnExternal('parent');
    const pid = Number(k.forkChild(parent, timerChild(k, 0, 0, 3, false)).ret);
    const w = k.wait4(parent, pid, 0);
    expect(w.status).toBe(14); // killed by SIGALRM
    expect(k.state.clockNs).toBeLessThan(3000 + 200); // armed after a few instructions; fired at its deadline
    expect(k.state.clockNs).toBeGreaterThanOrEqual(3000);
  });

  it('getitimer/setitimer for an external caller; invalid which is EINVAL', () => {
    const k = new Kernel({});
    const t = k.spawnExternal('x');
    expect(k.getitimer(t, 1).itimer).toEqual({ valueNs: 0, intervalNs: 0 });
    expect(k.setitimer(t, 0, { valueNs: 5000, intervalNs: 0 }).errno).toBeNull();
    expect(k.getitimer(t, 0).itimer).toEqual({ valueNs: 5000, intervalNs: 0 });
    expect(k.getitimer(t, 7).errno).toBe('EINVAL');
  });

  it('wait4 with untilNs: returns ERESTARTSYS at the deadline, recorded in the ledger', () => {
    const k = new Kernel({ insnNs: 10 });
    const tracer = k.spawnExternal('tracer');
    const pid = Number(k.forkChild(tracer, new Asm(k.arch).spinForever().build('/spin')).ret);
    const until = k.state.clockNs + 1000;
    const r = k.wait4(tracer, pid, 0, 0n, until);
    expect(r.errno).toBe('ERESTARTSYS');
    expect(k.state.clockNs).toBe(until);
    expect(k.ledger.at(-1)).toMatchObject({ syscall: 'wait4', errno: 'ERESTARTSYS', ret: -1n });
  });

  it('ITIMER_VIRTUAL counts down in place, but a clone keeps its own timer', () => {
    const k = new Kernel({ insnNs: 10 });
    const tracer = k.spawnExternal('tracer');
    const pid = Number(k.forkChild(tracer, timerChild(k, 1, 0, 50, true)).ret);
    expect(k.wait4(tracer, pid, 0).status).toBe(0x137f);
    // Let it arm the timer and run into the spin (60 instructions), then clone the kernel.
    k.ptrace(tracer, PTRACE.CONT, pid, 0n, 0n);
    expect(k.wait4(tracer, pid, 0, 0n, k.state.clockNs + 600).errno).toBe('ERESTARTSYS');
    const left = () => k.task(pid)!.itimers?.virtual?.untilNs;
    const before = left();
    expect(before).toBeGreaterThan(0);
    const fork = k.clone();
    expect(k.wait4(tracer, pid, 0).status).toBe((26 << 8) | 0x7f); // the original runs on to SIGVTALRM
    expect(fork.task(pid)!.itimers?.virtual?.untilNs).toBe(before); // the clone's timer did not move
    expect(fork.wait4(tracer, pid, 0).status).toBe((26 << 8) | 0x7f); // and runs out on its own
  });
});
