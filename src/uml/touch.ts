// The `touch:BYTES` workload part: p = mmap(NULL, BYTES, PROT_READ|PROT_WRITE,
// MAP_PRIVATE|MAP_ANONYMOUS, -1, 0); one store per page (each a first-touch fault:
// SEGV_MAPERR, uml/README.md "page fault"); munmap(p, BYTES). Like the `fault` phase of the
// real capture's guest init (uml/guest/init.c).
import type { Asm } from '../kernel/asm.ts';
import { syscallNr } from '../kernel/syscall-table.ts';

const PAGE = 4096n;

export function touchInsns(a: Asm, bytes: number): void {
  const { arch } = a;
  const x64 = arch.name === 'x86_64';
  const [base, ptr, counter] = x64 ? ['r13', 'r14', 'r12'] : ['esi', 'edi', 'ebp'];
  const ax = arch.regNames[arch.ax]!;
  const pages = (BigInt(bytes) + PAGE - 1n) / PAGE;
  a.sys(x64 ? 'mmap' : 'mmap2', 0, bytes, 3, 0x22, -1, 0);
  a.emit({ op: 'movr', dst: base, src: ax }, { op: 'movr', dst: ptr, src: ax });
  a.mov(counter, pages);
  const top = a.here;
  a.emit(
    { op: 'store', src: counter, base: ptr, disp: 0n },
    { op: 'add', dst: ptr, imm: PAGE },
    { op: 'add', dst: counter, imm: -1n },
    { op: 'jnz', reg: counter, target: top },
  );
  const arg = (i: number) => arch.regNames[arch.argRegs[i]!]!;
  a.mov(ax, syscallNr(arch.name, 'munmap')!).emit({ op: 'movr', dst: arg(0), src: base }).mov(arg(1), bytes).emit({ op: 'syscall' });
}
