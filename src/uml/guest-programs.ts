// Programs a guest process can execve (the guest's file system, as far as the model has one):
// path → image. The text of each program is loaded into physmem once (the page cache) and
// shared by every mm that maps it. `/exec-child` is the real capture's tiny static target
// (uml/guest/child.c: write one line, exit). On x86_64 it has the real binary's layout
// (static-layout.ts EXEC_CHILD_LAYOUT: the line in .rodata at 0x402000, exit is nr 60 `exit`,
// as the capture's orig_rax 0x3c).
import type { Arch } from '../kernel/arch.ts';
import { Asm } from '../kernel/asm.ts';
import { PROT_READ, PROT_WRITE } from '../kernel/memory.ts';
import { STACK_PAGES, stackTop, textBase } from '../kernel/state.ts';
import type { GuestMm, UmlMemory, Vma } from './guest-mm.ts';
import type { GuestImage } from './start-userspace.ts';
import { GUEST_DATA } from './workload.ts';
import { loadStaticImage } from './static-load.ts';
import { EXEC_CHILD_LAYOUT } from './static-layout.ts';

export const EXEC_CHILD = '/exec-child';
export const EXEC_CHILD_LINE = 'exec-child: hello\n';

/** write(1, line, len); exit(0) — x86_64: the real layout; i386: the line in its own data page, exit_group. */
export function execChildImage(arch: Arch): GuestImage {
  const bytes = new TextEncoder().encode(EXEC_CHILD_LINE);
  if (arch.name === 'x86_64') {
    const at = EXEC_CHILD_LAYOUT.vmas.find((v) => v.name === 'exec-child:rodata')!.start;
    const insns = new Asm(arch).sys('write', 1, at, bytes.length).sys('exit', 0).insns;
    return { insns, data: { start: at, bytes }, layout: EXEC_CHILD_LAYOUT, files: new Map([['exec-child:rodata', bytes]]) };
  }
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

  /** The new image's VMAs (text from the page cache, data, stack) in UML's tables only; `top`: the stack top. */
  load(mem: UmlMemory, mm: GuestMm, path: string, top = stackTop(mem.kernel.arch)): void {
    const image = this.images.get(path)!;
    const arch = mem.kernel.arch;
    if (image.layout) {
      this.text.set(path, loadStaticImage(mem, mm, { ...image, layout: image.layout }, top, this.text.get(path)));
      return;
    }
    let text = this.text.get(path);
    if (!text) {
      text = mem.textVma(path, textBase(arch), image.insns);
      this.text.set(path, text);
    }
    const page = 0x1000n;
    const dataEnd = image.data.start + ((BigInt(image.data.bytes.length) + page - 1n) & ~(page - 1n));
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
