// Register layouts and the struct user offsets (ptrace.md §8): x86_64 user_regs_struct and
// PEEKUSER/POKEUSER offsets, SETREGS segment checks with no rollback, and the i386 register
// set of the 2.6.26 profile, driven through a real traced i386 program's syscall stops.
import { describe, expect, test } from 'vitest';
import { I386, X86_64 } from '../../src/kernel/arch.ts';
import { Asm } from '../../src/kernel/asm.ts';
import { Kernel } from '../../src/kernel/kernel.ts';
import { PROT_READ, PROT_WRITE } from '../../src/kernel/memory.ts';
import { regsFromBytes, regsToBytes, userAreaSlot } from '../../src/kernel/regs.ts';
import { SIG } from '../../src/kernel/signals.ts';
import { syscallNr } from '../../src/kernel/syscall-table.ts';
import { PTRACE } from '../../src/ptrace/numbers.ts';

const BUF = 0x10000000n;
const FILL = 0xee;

/** A tracer and a child stopped at its own SIGSTOP (TRACEME + tkill), then getpid, getppid, exit. */
function traced(generation: '6.18' | '2.6.26') {
  const k = new Kernel({ generation });
  const arch = k.arch;
  const T = k.spawnExternal('tracer');
  k.mapMemory(T, BUF, 0x2000n, PROT_READ | PROT_WRITE);
  const a = new Asm(arch);
  const ax = arch.regNames[arch.ax]!;
  a.sys('ptrace', PTRACE.TRACEME).sys('gettid');
  a.emit({ op: 'movr', dst: arch.regNames[arch.argRegs[0]!]!, src: ax });
  a.mov(arch.regNames[arch.argRegs[1]!]!, SIG.SIGSTOP).mov(ax, syscallNr(arch.name, 'tkill')!).emit({ op: 'syscall' });
  a.sys('getpid').sys('getppid').exit(0);
  const c = Number(k.forkChild(T, a.build('/t/child')).ret);
  expect(k.wait4(T, c, 0).status).toBe(0x137f);
  const fill = (n: number) => k.writeMemory(T, BUF, new Uint8Array(n).fill(FILL));
  const peekUser = (off: bigint) => {
    const r = k.ptrace(T, PTRACE.PEEKUSER, c, off, BUF);
    return r.errno ?? k.readWord(T, BUF)!;
  };
  return { k, T, c, arch, fill, peekUser };
}

describe('x86_64 user_regs_struct and struct user (ptrace.md §8.1)', () => {
  test('27 registers, 216 bytes; rax 80, orig_rax 120, rip 128, cs 136, eflags 144, rsp 152', () => {
    const off = (n: string) => X86_64.regNames.indexOf(n) * 8;
    expect(X86_64.regNames.length).toBe(27);
    expect(X86_64.regNames.length * X86_64.wordBytes).toBe(216);
    expect([off('r15'), off('rax'), off('orig_rax'), off('rip'), off('cs'), off('eflags'), off('rsp'), off('ss'), off('fs_base'), off('gs')])
      .toEqual([0, 80, 120, 128, 136, 144, 152, 160, 168, 208]);
    expect(X86_64.ax * 8).toBe(80);
    expect(X86_64.origAx * 8).toBe(120);
    expect(X86_64.ip * 8).toBe(128);
    expect(X86_64.userAreaBytes).toBe(928);
    expect(X86_64.debugRegOffset).toBe(848);
  });

  test('userAreaSlot: registers 0..208, u_debugreg 848..911, other 216..840 and 912..920, EIO at 928 / misaligned / negative', () => {
    for (let off = 0; off < 216; off += 8) expect(userAreaSlot(X86_64, BigInt(off))).toEqual({ kind: 'reg', index: off / 8 });
    for (let off = 848; off < 912; off += 8) expect(userAreaSlot(X86_64, BigInt(off))).toEqual({ kind: 'debugreg', index: (off - 848) / 8 });
    for (const off of [216, 224, 736, 808, 840, 912, 920]) expect(userAreaSlot(X86_64, BigInt(off))).toEqual({ kind: 'other' });
    for (const off of [928n, 936n, 1n << 40n, 81n, 4n, -8n]) expect(userAreaSlot(X86_64, off)).toBe('EIO');
  });

  test('PEEKUSER through the kernel at a syscall-enter-stop: orig_rax, rax = -ENOSYS, rip, debug registers, 912/920 read 0', () => {
    const { k, T, c, peekUser } = traced('6.18');
    expect(k.ptrace(T, PTRACE.SYSCALL, c).errno).toBeNull();
    expect(k.wait4(T, c, 0).status).toBe(0x57f);
    const t = k.task(c)!;
    expect(peekUser(120n)).toBe(39n); // getpid
    expect(peekUser(80n)).toBe(0xffffffffffffffdan); // -ENOSYS
    expect(peekUser(128n)).toBe(t.regs[X86_64.ip]);
    expect(peekUser(912n)).toBe(0n);
    expect(peekUser(920n)).toBe(0n);
    expect(peekUser(928n)).toBe('EIO');
    expect(peekUser(81n)).toBe('EIO');
    // u_debugreg[7] at 904 round-trips through POKEUSER; DR4/DR5 (880, 888) refuse writes.
    expect(k.ptrace(T, PTRACE.POKEUSER, c, 904n, 0x1n).errno).toBeNull();
    expect(peekUser(904n)).toBe(0x1n);
    expect(k.ptrace(T, PTRACE.POKEUSER, c, 880n, 1n).errno).toBe('EIO');
    expect(k.ptrace(T, PTRACE.POKEUSER, c, 912n, 1n).errno).toBe('EIO');
    // GETREGS writes exactly 216 bytes.
    k.writeMemory(T, BUF, new Uint8Array(300).fill(FILL));
    expect(k.ptrace(T, PTRACE.GETREGS, c, 0n, BUF).errno).toBeNull();
    const out = k.readMemory(T, BUF, 300)!;
    expect(out.subarray(0, 216)).toEqual(regsToBytes(X86_64, k.task(c)!.regs));
    expect([...out.subarray(216)].every((b) => b === FILL)).toBe(true);
  });

  test('SETREGS: cs 0 / 0x10 → EIO with the fields before cs written and those after untouched; cs 0x23 accepted', () => {
    const { k, T, c } = traced('6.18');
    const cs = X86_64.cs;
    const setWith = (csValue: bigint) => {
      const before = [...k.task(c)!.regs];
      const want = before.map((v, i) => (i === cs ? csValue : i === X86_64.regNames.indexOf('r15') ? 0x1111n : i === X86_64.regNames.indexOf('rax') ? 0x2222n : i === X86_64.regNames.indexOf('rsp') ? 0x3333n : v));
      k.writeMemory(T, BUF, regsToBytes(X86_64, want));
      return { before, res: k.ptrace(T, PTRACE.SETREGS, c, 0n, BUF), after: k.task(c)!.regs };
    };
    for (const bad of [0n, 0x10n]) {
      const { before, res, after } = setWith(bad);
      expect(res.errno).toBe('EIO');
      expect(after[X86_64.regNames.indexOf('r15')]).toBe(0x1111n); // before cs: written, no rollback
      expect(after[X86_64.regNames.indexOf('rax')]).toBe(0x2222n);
      expect(after[cs]).toBe(before[cs]); // cs itself refused
      expect(after[X86_64.regNames.indexOf('rsp')]).toBe(before[X86_64.regNames.indexOf('rsp')]); // after cs: untouched
    }
    const { res, after } = setWith(0x23n);
    expect(res.errno).toBeNull();
    expect(after[cs]).toBe(0x23n);
    expect(after[X86_64.regNames.indexOf('rsp')]).toBe(0x3333n);
    // POKEUSER applies the same check to one field.
    expect(k.ptrace(T, PTRACE.POKEUSER, c, 136n, 0n).errno).toBe('EIO');
    expect(k.ptrace(T, PTRACE.POKEUSER, c, 136n, 0x33n).errno).toBeNull();
  });
});

describe('i386 register set of the 2.6.26 profile (ptrace.md §8.2)', () => {
  test('17 registers, 68 bytes; eax 24, orig_eax 44, eip 48; struct user 284 with u_debugreg at 252..283', () => {
    expect(I386.regNames.length).toBe(17);
    expect(I386.regNames.length * I386.wordBytes).toBe(68);
    expect(I386.ax * 4).toBe(24);
    expect(I386.origAx * 4).toBe(44);
    expect(I386.ip * 4).toBe(48);
    expect(I386.userAreaBytes).toBe(284);
    expect(userAreaSlot(I386, 252n)).toEqual({ kind: 'debugreg', index: 0 });
    expect(userAreaSlot(I386, 280n)).toEqual({ kind: 'debugreg', index: 7 });
    expect(userAreaSlot(I386, 284n)).toBe('EIO');
    expect(userAreaSlot(I386, 68n)).toEqual({ kind: 'other' });
    expect(userAreaSlot(I386, 2n)).toBe('EIO');
  });

  test('a traced i386 program through its syscall stops: GETREGS is 68 bytes with orig_eax / eax right', () => {
    const { k, T, c, fill, peekUser } = traced('2.6.26');
    expect(k.state.config.arch).toBe('i386');
    const getpid = BigInt(syscallNr('i386', 'getpid')!);
    const getppid = BigInt(syscallNr('i386', 'getppid')!);
    const regs = () => {
      fill(100);
      expect(k.ptrace(T, PTRACE.GETREGS, c, 0n, BUF).errno).toBeNull();
      const b = k.readMemory(T, BUF, 100)!;
      expect([...b.subarray(68)].every((x) => x === FILL)).toBe(true); // exactly 68 bytes written
      const r = regsFromBytes(I386, b.subarray(0, 68));
      return { eax: r[I386.ax]!, origEax: r[I386.origAx]!, eip: r[I386.ip]! };
    };
    const stops: [bigint, bigint][] = [];
    for (let i = 0; i < 4; i++) {
      expect(k.ptrace(T, PTRACE.SYSCALL, c).errno).toBeNull();
      expect(k.wait4(T, c, 0).status).toBe(0x57f);
      const r = regs();
      stops.push([r.origEax, r.eax]);
      expect(peekUser(44n)).toBe(r.origEax);
      expect(peekUser(24n)).toBe(r.eax);
      expect(peekUser(48n)).toBe(r.eip);
    }
    // getpid entry (eax = -ENOSYS as 32 bits), exit (eax = pid), getppid entry, exit (eax = tracer).
    expect(stops).toEqual([[getpid, 0xffffffdan], [getpid, BigInt(c)], [getppid, 0xffffffdan], [getppid, BigInt(T)]]);
    expect(peekUser(284n)).toBe('EIO');
    expect(peekUser(280n)).toBe(0n);
    // GETREGSET does not exist on 2.6.26; 0x4204 on a stopped tracee is EIO.
    expect(k.ptrace(T, PTRACE.GETREGSET, c, 1n, BUF).errno).toBe('EIO');
    expect(k.ptrace(T, PTRACE.CONT, c).errno).toBeNull();
    expect(k.wait4(T, c, 0).status).toBe(0);
  });
});
