// start_userspace() for the guest's first mm (arch/um/os-Linux/skas/process.c; uml-skas.md §3)
// with demand paging: the host child runs userspace_tramp (UML's own code, in its copy of
// UML's memory): PTRACE_TRACEME, SIGWINCH ignored, the stub code page (PROT_EXEC, private) and
// the stub data page (RW, MAP_SHARED) mmapped from the physmem file, sigaltstack = STUB_DATA,
// SIGSEGV → stub_segv_handler (SA_ONSTACK | SA_NODEFER | SA_SIGINFO), kill(self, SIGSTOP).
// UML: wait4 → SIGSTOP, OLDSETOPTIONS(TRACESYSGOOD). The guest image is not mapped: it lives
// in UML's physmem (guest-mm.ts); exec only sets up VMAs and the first stack page. UML's
// first flush of the new mm is one stub run that unmaps what the child inherited from UML in
// the guest range and maps that stack page; the first user instruction then faults (SIGSEGV
// SEGV_MAPERR at the entry point), as in uml/README.md "new mm from a kernel thread".
// An image with a real layout (static-layout.ts) starts as the 6.1 capture shows init start:
// one stub run (init_new_ldt), hostfs's open and reads of /init, then load_elf_binary's stub
// runs (binfmt-elf.ts: flush_thread, shift_arg_pages, mprotect_fixup, padzero).
import { Asm } from '../kernel/asm.ts';
import type { Insn } from '../kernel/isa.ts';
import { MAP_FIXED, MAP_PRIVATE, MAP_SHARED, PROT_EXEC, PROT_READ, PROT_WRITE } from '../kernel/memory.ts';
import { initialRegs } from '../kernel/regs.ts';
import { SA_NODEFER, SA_ONSTACK, SA_SIGINFO } from '../kernel/sigframe.ts';
import { SIG } from '../kernel/signals.ts';
import { stackTop, STACK_PAGES, textBase } from '../kernel/state.ts';
import { PTRACE_O } from '../kernel/task.ts';
import { WSTOPSIG, WUNTRACED, __WALL } from '../kernel/wait-status.ts';
import { PTRACE } from '../ptrace/numbers.ts';
import { UmlFatal } from './errors.ts';
import { guestProcess, type GuestProcess } from './guest.ts';
import { GuestMm, type UmlMemory } from './guest-mm.ts';
import { UML_SA_IGN, UML_SA_SEGV, UML_SIGSTACK, UML_STUB_SCRATCH, UML_STUB_SCRATCH_BYTES } from './mem.ts';
import { STUB_PAGE } from './stub.ts';
import { loadStaticImage } from './static-load.ts';
import { loadElfTail } from './binfmt-elf.ts';
import type { Hostfs } from './hostfs.ts';
import type { StaticLayout } from './static-layout.ts';

/** Where userspace_tramp's code sits in UML's image (outside the guest's text). */
export const UML_TRAMP_TEXT = 0x61000000n;
/** Bottom-up guest mmap base (TASK_UNMAPPED_BASE; the 6.1 fault fixture touches 0x40000000). */
export const GUEST_MMAP_BASE = 0x40000000n;

export interface GuestImage {
  readonly insns: readonly Insn[];
  /** Initialised data: address and contents (one VMA; with a layout, only where write parts' message is). */
  readonly data: { readonly start: bigint; readonly bytes: Uint8Array };
  /** A real static binary's address space (static-layout.ts); unset: text, data and stack only. */
  readonly layout?: StaticLayout;
  /** With a layout: the initial bytes of file VMAs, by VMA name. */
  readonly files?: ReadonlyMap<string, Uint8Array>;
}

/** UML-side set-up once per run: its scratch page for the stub and fault paths. */
export function mapStubScratch(mem: UmlMemory): void {
  mem.kernel.mapMemory(mem.c.host.uml, UML_STUB_SCRATCH, UML_STUB_SCRATCH_BYTES);
}

function trampProgram(mem: UmlMemory, self: number, dataFrame: number, extra: readonly Insn[]): Insn[] {
  const k = mem.kernel;
  const arch = k.arch;
  const L = mem.stub;
  const i386 = arch.name === 'i386';
  const mmap = i386 ? 'mmap2' : 'mmap';
  const off = (frame: number) => (i386 ? BigInt(frame) : mem.frameOffset(frame));
  return new Asm(arch)
    .sys('ptrace', PTRACE.TRACEME, 0, 0, 0)
    .emit(...extra)
    .sys('rt_sigaction', SIG.SIGWINCH, UML_SA_IGN, 0, 8)
    .sys(mmap, L.code, STUB_PAGE, PROT_EXEC, MAP_FIXED | MAP_PRIVATE, mem.fd, off(mem.stubCodeFrame))
    .sys(mmap, L.data, STUB_PAGE, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_SHARED, mem.fd, off(dataFrame))
    .sys('sigaltstack', UML_SIGSTACK, 0)
    .sys('rt_sigaction', SIG.SIGSEGV, UML_SA_SEGV, 0, 8)
    .sys('kill', self, SIG.SIGSTOP)
    .emit({ op: 'ud2' }).insns;
}

/** The structs userspace_tramp passes (in UML's memory, so in the child's copy too). */
function writeTrampStructs(mem: UmlMemory): void {
  const k = mem.kernel;
  const uml = mem.c.host.uml;
  const w = BigInt(k.arch.wordBytes);
  const L = mem.stub;
  const sa = (at: bigint, handler: bigint, flags: number) => {
    k.writeWord(uml, at, handler);
    k.writeWord(uml, at + w, BigInt(flags));
    k.writeWord(uml, at + 2n * w, 0n); // sa_restorer = NULL
    k.writeMemory(uml, at + 3n * w, new Uint8Array(8)); // sa_mask: empty
  };
  sa(UML_SA_SEGV, L.code + L.segvOffset, SA_ONSTACK | SA_NODEFER | SA_SIGINFO);
  sa(UML_SA_IGN, 1n, 0);
  k.writeWord(uml, UML_SIGSTACK, L.data); // stack_t { ss_sp = STUB_DATA, ss_flags = 0, ss_size = PAGE }
  k.writeWord(uml, UML_SIGSTACK + w, 0n);
  k.writeWord(uml, UML_SIGSTACK + 2n * w, STUB_PAGE);
}

/**
 * start_userspace() alone (arch/um/os-Linux/skas/process.c): the host child, its SIGSTOP and
 * OLDSETOPTIONS(TRACESYSGOOD). Also the start of every usermode helper's mm (usermode-helper.ts).
 */
export function startUserspaceProcess(mem: UmlMemory, trampExtra: readonly Insn[] = []): { pid: number; dataFrame: number } {
  const host = mem.c.host;
  const k = mem.kernel;
  writeTrampStructs(mem);
  const dataFrame = mem.allocFrames(1);
  const self = k.state.nextPid;
  const pid = Number(k.forkChild(host.uml, { path: '/uml/userspace_tramp', insns: trampProgram(mem, self, dataFrame, trampExtra), base: UML_TRAMP_TEXT }).ret);
  const w = host.wait4(pid, WUNTRACED | __WALL);
  if (w.status === null || w.status === undefined || WSTOPSIG(w.status) !== SIG.SIGSTOP) throw new UmlFatal(`start_userspace : expected SIGSTOP, got status = ${w.status}`);
  host.ptrace(PTRACE.OLDSETOPTIONS, pid, 0n, BigInt(PTRACE_O.TRACESYSGOOD));
  return { pid, dataFrame };
}

/**
 * start_userspace + the exec of the guest image into the new mm. `trampExtra` goes between
 * TRACEME and the rest of userspace_tramp (2.6.26: set_interval()).
 */
export function startUserspace(mem: UmlMemory, image: GuestImage, trampExtra: readonly Insn[] = [], hostfs?: Hostfs): { proc: GuestProcess; mm: GuestMm } {
  const k = mem.kernel;
  const arch = k.arch;
  const { pid, dataFrame } = startUserspaceProcess(mem, trampExtra);

  // The guest's exec, in UML only: VMAs, and the first stack page (argv/envp written by exec).
  const mm = new GuestMm(pid, dataFrame, GUEST_MMAP_BASE);
  const page = BigInt(STUB_PAGE);
  const top = stackTop(arch);
  if (image.layout) {
    if (!hostfs) throw new Error('simulator bug: a static image needs hostfs');
    loadStaticImage(mem, mm, { ...image, layout: image.layout }, top);
    mem.mms.set(pid, mm);
    // One stub run right after OLDSETOPTIONS, before the exec even opens /init
    // (glibc-init-start.strace): init_new_ldt's write_ldt_entry (arch/x86/um/ldt.c), our
    // reading; the model's batch holds its own records.
    const L = mem.stub;
    mem.runOps(mm, [{ kind: 'munmap', start: 0n, len: L.code }]);
    // The exec of /init from the kernel thread: hostfs opens and reads it, then load_elf_binary.
    const fd = hostfs.openForExec(image.layout.fileBytes);
    const sp = loadElfTail(mem, hostfs, mm, image.layout, top, { fd, bytes: image.layout.fileBytes });
    const regs = initialRegs(arch, image.layout.entry, sp);
    regs[arch.origAx] = arch.mask;
    return { proc: guestProcess({ gpid: 1, parent: 0, hostPid: pid, regs }), mm };
  }
  {
    const text = mem.textVma('/init', textBase(arch), image.insns);
    const dataEnd = image.data.start + ((BigInt(image.data.bytes.length) + page - 1n) & ~(page - 1n));
    mm.vmas.push(text, { start: image.data.start, end: dataEnd, prot: PROT_READ | PROT_WRITE, name: 'data', contents: image.data.bytes });
    mm.vmas.push({ start: top - BigInt(STACK_PAGES) * page, end: top, prot: PROT_READ | PROT_WRITE, name: 'stack' });
    mm.brkStart = mm.brk = dataEnd;
  }
  mem.mms.set(pid, mm);
  mem.handlePageFault(mm, top - 8n, 'write');
  // The first flush (fix_range with force): the guest range holds only what UML inherited.
  const L = mem.stub;
  mem.fixRange(mm, top - page, top, [
    { kind: 'munmap', start: 0n, len: L.code },
    { kind: 'munmap', start: L.data + page, len: top - (L.data + page) },
  ]);
  const regs = initialRegs(arch, textBase(arch), top - 8n);
  regs[arch.origAx] = arch.mask;
  return { proc: guestProcess({ gpid: 1, parent: 0, hostPid: pid, regs }), mm };
}
