// Programs a guest process can execve (the guest's file system, as far as the model has one):
// path → image. The text of each program is loaded into physmem once (the page cache) and
// shared by every mm that maps it. `/exec-child` is the real capture's tiny static target
// (uml/guest/child.c: write one line, exit).
import type { Arch } from '../kernel/arch.ts';
import { Asm } from '../kernel/asm.ts';
import { PROT_READ, PROT_WRITE } from '../kernel/memory.ts';
import { STACK_PAGES, stackTop, textBase } from '../kernel/state.ts';
import type { GuestMm, UmlMemory, Vma } from './guest-mm.ts';
import type { GuestImage } from './start-userspace.ts';
import { GUEST_DATA } from './workload.ts';

export const EXEC_CHILD = '/exec-child';
export const EXEC_CHILD_LINE = 'exec-child: hello\n';

/** write(1, line, len); exit_group(0) — with the line in its own data page. */
export function execChildImage(arch: Arch): GuestImage {
  const bytes = new TextEncoder().encode(EXEC_CHILD_LINE);
  const insns = new Asm(arch).sys('write', 1, GUEST_DATA, bytes.length).exit(0).insns;
  return { insns, data: { start: GUEST_DATA, bytes } };
}

export class GuestPrograms {
  private readonly images = new Map<string, GuestImage>();
  private readonly text = new Map<string, Vma>();

  register(path: string, image: GuestImage): void {
    this.images.set(path, image);
  }

  get(path: string): GuestImage | undefined {
    return this.images.get(path);
  }

  /** The new image's VMAs (text from the page cache, data, stack) in UML's tables only. */
  load(mem: UmlMemory, mm: GuestMm, path: string): void {
    const image = this.images.get(path)!;
    const arch = mem.kernel.arch;
    let text = this.text.get(path);
    if (!text) {
      text = mem.textVma(path, textBase(arch), image.insns);
      this.text.set(path, text);
    }
    const page = 0x1000n;
    const dataEnd = image.data.start + ((BigInt(image.data.bytes.length) + page - 1n) & ~(page - 1n));
    const top = stackTop(arch);
    mm.vmas.push({ ...text }, { start: image.data.start, end: dataEnd, prot: PROT_READ | PROT_WRITE, name: 'data', contents: image.data.bytes });
    mm.vmas.push({ start: top - BigInt(STACK_PAGES) * page, end: top, prot: PROT_READ | PROT_WRITE, name: 'stack' });
    mm.brkStart = mm.brk = dataEnd;
  }
}

export function defaultGuestPrograms(arch: Arch): GuestPrograms {
  const programs = new GuestPrograms();
  programs.register(EXEC_CHILD, execChildImage(arch));
  return programs;
}
