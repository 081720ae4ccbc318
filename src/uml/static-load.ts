// Loading a static-layout.ts image into a guest mm (UML's tables only, as fs/binfmt_elf.c
// load_elf_binary leaves them: the PT_LOAD VMAs (RELRO still part of the last one: glibc's
// start-up mprotects it), [stack] below the stack top, [vdso]; the [heap] comes from the
// program's own brk calls). Text and file VMAs are hostfs page cache: they fault around. Text is the page cache (one physmem frame
// per page of the real PT_LOAD, shared by every mm that maps it); file VMAs start from the
// image's bytes and anonymous ones from zeros; a read fault maps either read-only (the page
// cache, the zero page: Vma.readMapsShared), so the first write copies (cow.ts).
import { PROT_EXEC, PROT_READ, PROT_WRITE } from '../kernel/memory.ts';
import type { GuestMm, UmlMemory, Vma } from './guest-mm.ts';
import type { GuestImage } from './start-userspace.ts';
import { UML_VDSO, type StaticLayout } from './static-layout.ts';

/** The image's VMAs pushed onto `mm` (text from `text` when cached, else made); returns the text VMA. */
export function loadStaticImage(mem: UmlMemory, mm: GuestMm, image: GuestImage & { layout: StaticLayout }, top: bigint, text?: Vma): Vma {
  const { layout } = image;
  let textVma = text;
  let relroStart: bigint | undefined;
  for (const v of layout.vmas) {
    if (v.kind === 'text') {
      textVma ??= { ...mem.textVma(v.name, v.start, image.insns, v.end), anonVma: false, pageCache: true };
      mm.vmas.push({ ...textVma });
      continue;
    }
    if (v.relro) {
      relroStart = v.start; // the start of the next PT_LOAD's VMA until glibc mprotects it
      continue;
    }
    const contents = v.kind === 'file' ? image.files?.get(v.name) : undefined;
    const start = relroStart ?? v.start;
    relroStart = undefined;
    mm.vmas.push({ start, end: v.end, prot: v.prot, name: v.name, anonVma: v.anonVma, readMapsShared: true, ...(v.kind === 'file' ? { pageCache: true } : {}), ...(contents ? { contents } : {}) });
  }
  mm.vmas.push({ start: top - layout.stackBytes, end: top, prot: PROT_READ | PROT_WRITE, name: 'stack', anonVma: true, readMapsShared: true });
  mm.vmas.push({ start: UML_VDSO.start, end: UML_VDSO.end, prot: PROT_READ | PROT_EXEC, name: 'vdso', anonVma: false });
  mm.brkStart = mm.brk = layout.brk;
  if (!textVma) throw new Error('simulator bug: a static layout without text');
  return textVma;
}
