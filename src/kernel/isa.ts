// The small deterministic instruction set tracees execute. A tracee is a program whose
// registers and memory really change as it runs: rip advances, loads and stores go
// through the page tables, `syscall` enters the kernel with the number in rax/eax and
// arguments in the arch's argument registers. Each instruction occupies INSN_BYTES of
// text; the first text byte of `syscall` is 0x0f and of `int3` is 0xcc, so a tracer that
// POKEs 0xcc over an instruction plants a software breakpoint, as on real x86.

export const INSN_BYTES = 4;

export type Insn =
  | { op: 'nop' }
  | { op: 'mov'; dst: string; imm: bigint }
  | { op: 'movr'; dst: string; src: string }
  | { op: 'add'; dst: string; imm: bigint }
  /** Register-register add and subtract (x86 `add r/m, r` 0x01 and `sub r/m, r` 0x29): dst ±= src. */
  | { op: 'addr'; dst: string; src: string }
  | { op: 'subr'; dst: string; src: string }
  | { op: 'load'; dst: string; base?: string; disp: bigint }
  | { op: 'store'; src: string; base?: string; disp: bigint }
  | { op: 'syscall' }
  | { op: 'int3' }
  | { op: 'jmp'; target: number }
  | { op: 'jnz'; reg: string; target: number }
  | { op: 'ud2' };

const OPCODE: Record<Insn['op'], [number, number]> = {
  nop: [0x90, 0x90],
  mov: [0x48, 0xc7],
  movr: [0x48, 0x89],
  add: [0x48, 0x83],
  addr: [0x48, 0x01],
  subr: [0x48, 0x29],
  load: [0x48, 0x8b],
  store: [0x48, 0x88],
  syscall: [0x0f, 0x05],
  int3: [0xcc, 0x90],
  jmp: [0xeb, 0x00],
  jnz: [0x75, 0x00],
  ud2: [0x0f, 0x0b],
};

export const INT3_BYTE = 0xcc;

/** The text bytes of a program: two opcode bytes, then padding, per instruction. */
export function encodeText(insns: readonly Insn[]): Uint8Array {
  const out = new Uint8Array(insns.length * INSN_BYTES);
  insns.forEach((insn, i) => {
    const [a, b] = OPCODE[insn.op];
    out[i * INSN_BYTES] = a;
    out[i * INSN_BYTES + 1] = b;
    out[i * INSN_BYTES + 2] = 0x90;
    out[i * INSN_BYTES + 3] = 0x90;
  });
  return out;
}

export function describeInsn(insn: Insn): string {
  switch (insn.op) {
    case 'nop': case 'syscall': case 'int3': case 'ud2': return insn.op;
    case 'mov': return `mov ${insn.dst}, ${insn.imm}`;
    case 'movr': return `mov ${insn.dst}, ${insn.src}`;
    case 'add': return `add ${insn.dst}, ${insn.imm}`;
    case 'addr': return `add ${insn.dst}, ${insn.src}`;
    case 'subr': return `sub ${insn.dst}, ${insn.src}`;
    case 'load': return `load ${insn.dst}, [${insn.base ?? ''}${insn.base ? '+' : ''}0x${insn.disp.toString(16)}]`;
    case 'store': return `store [${insn.base ?? ''}${insn.base ? '+' : ''}0x${insn.disp.toString(16)}], ${insn.src}`;
    case 'jmp': return `jmp ${insn.target}`;
    case 'jnz': return `jnz ${insn.reg}, ${insn.target}`;
  }
}
