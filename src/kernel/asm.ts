// A tiny assembler for tracee programs: named syscalls with arguments in the arch's
// registers, loops, loads and stores. Programs are data (Insn[]), so tests and users can
// also write them by hand.
import type { Arch } from './arch.ts';
import type { Insn } from './isa.ts';
import type { Program } from './state.ts';
import { textBase } from './state.ts';
import { syscallNr } from './syscall-table.ts';

export class Asm {
  readonly insns: Insn[] = [];
  constructor(readonly arch: Arch) {}

  get here(): number {
    return this.insns.length;
  }

  emit(...insns: Insn[]): this {
    this.insns.push(...insns);
    return this;
  }

  mov(reg: string, imm: bigint | number): this {
    return this.emit({ op: 'mov', dst: reg, imm: BigInt(imm) });
  }

  /** A syscall by name (or number) with up to six arguments. */
  sys(name: string | number, ...args: (bigint | number)[]): this {
    const nr = typeof name === 'number' ? name : syscallNr(this.arch.name, name);
    if (nr === undefined) throw new Error(`unknown syscall ${name} on ${this.arch.name}`);
    this.mov(this.arch.regNames[this.arch.ax]!, nr);
    args.forEach((a, i) => this.mov(this.arch.regNames[this.arch.argRegs[i]!]!, a));
    return this.emit({ op: 'syscall' });
  }

  exit(code: number): this {
    return this.sys('exit_group', code);
  }

  load(addr: bigint, dst = this.arch.regNames[this.arch.argRegs[0]!]!): this {
    return this.emit({ op: 'load', dst, disp: addr });
  }

  store(addr: bigint, value: bigint, scratch = this.arch.regNames[this.arch.argRegs[1]!]!): this {
    return this.mov(scratch, value).emit({ op: 'store', src: scratch, disp: addr });
  }

  int3(): this {
    return this.emit({ op: 'int3' });
  }

  /** n iterations of a register countdown, no syscalls. */
  spin(n: number, reg = this.arch.regNames[this.arch.argRegs[5]!]!): this {
    if (n <= 0) return this;
    this.mov(reg, n);
    const top = this.here;
    return this.emit({ op: 'add', dst: reg, imm: -1n }, { op: 'jnz', reg, target: top });
  }

  spinForever(): this {
    const top = this.here;
    return this.emit({ op: 'nop' }, { op: 'jmp', target: top });
  }

  build(path: string, base = textBase(this.arch)): Program {
    return { path, insns: [...this.insns], base };
  }
}
