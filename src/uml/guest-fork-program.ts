// Guest code for the `fork:N` and `exec:N` workload parts (uml/guest/init.c's fork and exec
// phases): N times { pid = fork(); child: exit at once (fork: exit code = the loop counter,
// N … 1) or execve("/exec-child") (exit 127 if it fails); parent: store pid (a stack write: the
// parent's COW fault after fork, as libc's in the real run), wait4(pid, &status, 0, NULL) }.
// The minimal image's version, for uml-2.6.26 (i386; no TLS base, so no ARCH_PRCTL on a
// switch); uml-6.1 programs that fork get the glibc-shaped init (guest-libc.ts).
import { Asm } from '../kernel/asm.ts';
import { syscallNr } from '../kernel/syscall-table.ts';
import { EXEC_CHILD } from './guest-programs.ts';
import { guestScratch } from './time.ts';

export const forkSlots = (a: Asm) => ({ path: guestScratch(a.arch, 4), status: guestScratch(a.arch, 5), pid: guestScratch(a.arch, 6) });

function nr(a: Asm, name: string): number {
  const n = syscallNr(a.arch.name, name);
  if (n === undefined) throw new Error(`simulator bug: no syscall ${name}`);
  return n;
}

export function forkInsns(a: Asm, kind: 'fork' | 'exec', count: number, counter: string): void {
  const { arch } = a;
  const reg = (i: number) => arch.regNames[i]!;
  const ax = reg(arch.ax);
  const arg = (i: number) => reg(arch.argRegs[i]!);
  const at = forkSlots(a);
  if (kind === 'exec') {
    const bytes = new TextEncoder().encode(`${EXEC_CHILD}\0`);
    for (let off = 0; off < bytes.length; off += arch.wordBytes) {
      let word = 0n;
      for (let j = arch.wordBytes - 1; j >= 0; j--) word = (word << 8n) | BigInt(bytes[off + j] ?? 0);
      a.store(at.path + BigInt(off), word);
    }
  }
  a.mov(counter, count);
  const top = a.here;
  a.sys('fork');
  const branch = a.here;
  a.emit({ op: 'jnz', reg: ax, target: -1 });
  // The child.
  if (kind === 'exec') {
    a.sys('execve', at.path, 0, 0);
    a.exit(127);
  } else {
    a.emit({ op: 'movr', dst: arg(0), src: counter }).mov(ax, nr(a, 'exit_group')).emit({ op: 'syscall' });
  }
  // The parent.
  a.insns[branch] = { op: 'jnz', reg: ax, target: a.here };
  a.emit({ op: 'store', src: ax, disp: at.pid }, { op: 'movr', dst: arg(0), src: ax });
  a.mov(arg(1), at.status).mov(arg(2), 0).mov(arg(3), 0).mov(ax, nr(a, 'wait4')).emit({ op: 'syscall' });
  a.emit({ op: 'add', dst: counter, imm: -1n }, { op: 'jnz', reg: counter, target: top });
}
