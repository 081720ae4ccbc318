// Kernel access to user memory. copy_from_user/copy_to_user honour page protections and
// fail with EFAULT (arch/x86/lib/usercopy); ptrace's access_process_vm(FOLL_FORCE) reads
// any mapped page and writes through missing PROT_WRITE (mm/memory.c __access_remote_vm).
import type { Arch } from './arch.ts';
import type { Errno } from './errno.ts';
import type { Ctx } from './ledger.ts';
import { isFault, isMapped, PROT_READ, readBytes, readWordAt, viewBytes, writeBytes, writeWordAt } from './memory.ts';
import { writeWord } from './regs.ts';
import type { Task } from './task.ts';

export function copyFromUser(ctx: Ctx, t: Task, addr: bigint, len: number): Uint8Array | 'EFAULT' {
  const mm = ctx.s.mms[t.mm];
  if (!mm) return 'EFAULT';
  const r = readBytes(mm, addr, len, PROT_READ);
  return isFault(r) ? 'EFAULT' : r;
}

/** copyFromUser without the copy (memory.ts viewBytes): for bytes the kernel consumes before user memory can change. */
export function viewFromUser(ctx: Ctx, t: Task, addr: bigint, len: number): Uint8Array | 'EFAULT' {
  const mm = ctx.s.mms[t.mm];
  if (!mm) return 'EFAULT';
  const r = viewBytes(mm, addr, len, PROT_READ);
  return isFault(r) ? 'EFAULT' : r;
}

export function copyToUser(ctx: Ctx, t: Task, addr: bigint, bytes: Uint8Array): null | 'EFAULT' {
  const mm = ctx.s.mms[t.mm];
  if (!mm) return 'EFAULT';
  const r = writeBytes(mm, addr, bytes, false);
  if (isFault(r)) return 'EFAULT';
  ctx.s.mms[t.mm] = r;
  return null;
}

export function getUserWord(ctx: Ctx, t: Task, addr: bigint): bigint | 'EFAULT' {
  const mm = ctx.s.mms[t.mm];
  if (!mm) return 'EFAULT';
  const r = readWordAt(mm, addr, ctx.arch.wordBytes, PROT_READ);
  return typeof r === 'bigint' ? r : 'EFAULT';
}

export function putUserWord(ctx: Ctx, t: Task, addr: bigint, v: bigint): null | 'EFAULT' {
  const mm = ctx.s.mms[t.mm];
  if (!mm) return 'EFAULT';
  return writeWordAt(mm, addr, ctx.arch.wordBytes, v, false) ? 'EFAULT' : null;
}

export function wordBytes(arch: Arch, v: bigint): Uint8Array {
  const b = new Uint8Array(arch.wordBytes);
  writeWord(new DataView(b.buffer), 0, arch, v);
  return b;
}

export function putUser32(ctx: Ctx, t: Task, addr: bigint, v: number): null | 'EFAULT' {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v | 0, true);
  return copyToUser(ctx, t, addr, b);
}

/** strncpy_from_user for paths. */
export function stringFromUser(ctx: Ctx, t: Task, addr: bigint, max = 4096): string | 'EFAULT' {
  let out = '';
  for (let i = 0; i < max; i++) {
    const b = copyFromUser(ctx, t, addr + BigInt(i), 1);
    if (b === 'EFAULT') return b;
    if (b[0] === 0) return out;
    out += String.fromCharCode(b[0]!);
  }
  return out;
}

/** access_process_vm() read (ptrace PEEK*): needs only a mapping. Short reads are failures here. */
export function remoteRead(ctx: Ctx, t: Task, addr: bigint, len: number): Uint8Array | Errno {
  const mm = ctx.s.mms[t.mm];
  if (!mm || !isMapped(mm, addr, len)) return 'EIO';
  const r = readBytes(mm, addr, len, 0);
  return isFault(r) ? 'EIO' : r;
}

/** access_process_vm() write with FOLL_FORCE (ptrace POKE*). */
export function remoteWrite(ctx: Ctx, t: Task, addr: bigint, bytes: Uint8Array): null | Errno {
  const mm = ctx.s.mms[t.mm];
  if (!mm) return 'EIO';
  const r = writeBytes(mm, addr, bytes, true);
  if (isFault(r)) return 'EIO';
  ctx.s.mms[t.mm] = r;
  return null;
}

/** How many bytes from addr are mapped (for byte-granular remote copies that stop at a hole). */
export function mappedPrefix(ctx: Ctx, t: Task, addr: bigint, len: number): number {
  const mm = ctx.s.mms[t.mm];
  if (!mm) return 0;
  let n = 0;
  while (n < len) {
    const a = addr + BigInt(n);
    if (!isMapped(mm, a, 1)) break;
    n += Math.min(len - n, 4096 - Number(a & 0xfffn));
  }
  return n;
}
