// cpu-burst.ts runs user instructions on doubles below 2^53 and falls back to bigints
// outside: the registers, memory, instruction count and clock after a continued run must be
// exactly those of the same program single-stepped (single-step takes cpu.ts's per-instruction
// path), across 2^53, the arch's wrap-around (2^64 / 2^32), negative results and a load/store.
import { describe, expect, it } from 'vitest';
import { Asm } from '../../src/kernel/asm.ts';
import { Kernel } from '../../src/kernel/kernel.ts';
import { stackTop } from '../../src/kernel/state.ts';
import { PTRACE } from '../../src/ptrace/numbers.ts';

const SIGTRAP_STOP = (5 << 8) | 0x7f;

/** Stops itself, then arithmetic across the edges into registers r, a spin, and int3. */
function program(k: Kernel, r: readonly string[]) {
  const a = new Asm(k.arch);
  const [x, y, z, w, v] = r as [string, string, string, string, string];
  const slot = stackTop(k.arch) - 64n;
  a.sys('ptrace', PTRACE.TRACEME, 0, 0, 0).sys('kill', k.state.nextPid, 19)
    .mov(x, k.arch.mask === 0xffffffffn ? 0xfffffffdn : 2n ** 53n - 3n)
    .emit({ op: 'add', dst: x, imm: 1n }, { op: 'add', dst: x, imm: 1n }, { op: 'add', dst: x, imm: 1n }, { op: 'add', dst: x, imm: 1n })
    .mov(y, -1n) // the mask
    .emit({ op: 'add', dst: y, imm: 2n }) // wraps to 1
    .emit({ op: 'movr', dst: z, src: y }, { op: 'subr', dst: z, src: x }) // 1 - x: wraps
    .emit({ op: 'addr', dst: z, src: x }) // back to 1 through the wrap
    .mov(w, 0).emit({ op: 'add', dst: w, imm: -1n }) // 0 - 1: the mask
    .emit({ op: 'store', src: w, disp: slot }, { op: 'load', dst: v, disp: slot }, { op: 'addr', dst: v, src: z }) // mask + 1: 0
    .spin(300, y)
    .emit({ op: 'movr', dst: y, src: x }, { op: 'subr', dst: y, src: x }, { op: 'addr', dst: y, src: w }, { op: 'int3' });
  return a.build('/burst');
}

/** The program run to its int3, continued or single-stepped; its registers then. */
function finalState(arch: 'x86_64' | 'i386', step: boolean) {
  const k = new Kernel({ arch, insnNs: 3 });
  const names = k.arch.name === 'x86_64' ? ['rbx', 'r12', 'r13', 'r14', 'r15'] : ['ebx', 'esi', 'edi', 'ebp', 'ecx'];
  const tracer = k.spawnExternal('tracer');
  const pid = Number(k.forkChild(tracer, program(k, names)).ret);
  expect(k.wait4(tracer, pid, 0).status).toBe(0x137f);
  let steps = 0;
  for (;;) {
    k.ptrace(tracer, step ? PTRACE.SINGLESTEP : PTRACE.CONT, pid, 0n, 0n);
    expect(k.wait4(tracer, pid, 0).status).toBe(SIGTRAP_STOP);
    steps++;
    const t = k.task(pid)!;
    if (!step || t.debugRegs[6] === 0n || steps > 10_000) break;
    t.debugRegs[6] = 0n; // tell the int3's stop from a step's (only the step sets DR_STEP)
  }
  const t = k.task(pid)!;
  return { regs: [...t.regs], insnCount: t.insnCount, steps, at: (n: string) => t.regs[k.arch.regNames.indexOf(n)]! };
}

/** A traced child arming interval timer `which` (3 µs, then every 7 µs), then spinning; the insnCount and clock at its first two timer stops. */
function timerStops(which: number, step: boolean) {
  const k = new Kernel({ insnNs: 10 });
  const tracer = k.spawnExternal('tracer');
  const a = new Asm(k.arch);
  const at = stackTop(k.arch) - 0x800n;
  a.sys('ptrace', PTRACE.TRACEME, 0, 0, 0).sys('kill', k.state.nextPid, 19);
  a.store(at, 0n).store(at + 8n, 7n).store(at + 16n, 0n).store(at + 24n, 3n);
  a.sys('setitimer', which, at, 0).spinForever();
  const pid = Number(k.forkChild(tracer, a.build('/timer')).ret);
  expect(k.wait4(tracer, pid, 0).status).toBe(0x137f);
  const stops: [number, number, number][] = [];
  for (let i = 0; stops.length < 2 && i < 5000; i++) {
    k.ptrace(tracer, step ? PTRACE.SINGLESTEP : PTRACE.CONT, pid, 0n, 0n);
    const w = k.wait4(tracer, pid, 0);
    if (w.status !== SIGTRAP_STOP) stops.push([w.status ?? -1, k.task(pid)!.insnCount, k.state.clockNs]);
  }
  return stops;
}

describe('register bursts', () => {
  for (const [which, sig] of [[1, 26], [2, 27], [0, 14]] as const) {
    it(`interval timer ${which}: a burst stops at the same instruction as single steps`, () => {
      const cont = timerStops(which, false);
      const step = timerStops(which, true);
      expect(cont.map((s) => s[0])).toEqual([(sig << 8) | 0x7f, (sig << 8) | 0x7f]);
      expect(cont.map((s) => s[1])).toEqual(step.map((s) => s[1]));
      if (which !== 0) expect(cont[1]![1] - cont[0]![1]).toBe(700); // 7 µs of CPU at 10 ns an instruction
    });
  }

  for (const arch of ['x86_64', 'i386'] as const) {
    it(`${arch}: continued equals single-stepped, bit for bit`, () => {
      const cont = finalState(arch, false);
      const step = finalState(arch, true);
      expect(cont.regs).toEqual(step.regs);
      expect(cont.insnCount).toBe(step.insnCount);
      expect(step.steps).toBeGreaterThan(600); // really stepped, one instruction a stop
      const [x, y, z, w, v] = arch === 'x86_64' ? ['rbx', 'r12', 'r13', 'r14', 'r15'] : ['ebx', 'esi', 'edi', 'ebp', 'ecx'];
      const mask = arch === 'x86_64' ? 2n ** 64n - 1n : 2n ** 32n - 1n;
      const xv = arch === 'x86_64' ? 2n ** 53n + 1n : 1n; // past 2^53 / wrapped past 2^32
      expect([cont.at(x!), cont.at(y!), cont.at(z!), cont.at(w!), cont.at(v!)]).toEqual([xv, mask, 1n, mask, 0n]);
    });
  }
});
