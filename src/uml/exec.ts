// A guest execve of a program registered in UML (fs/exec.c with UML's hooks; uml/README.md
// "execve"): the path must name a known guest program (guest-programs.ts), else -ENOENT.
//  * bprm_mm_init → init_new_context: the exec'ing task has a user mm, so the new mm's host
//    process is cloned by copy_context_skas0 on the exec'ing process's *own* host process;
//  * exec_mmap → mmput(old mm) → destroy_context: the old host process is killed at once
//    (no switch in between: the real run shows KILL right after OLDSETOPTIONS);
//  * flush_thread (arch/um/kernel/exec.c): unmap(0, TASK_SIZE) in the new process — one stub
//    run (the clone inherited the old guest mappings); copy_strings touches the first stack
//    page (one more stub run); start_thread sets ip/sp; the TLS base is cleared;
//  * back in userspace(): SETREGS(entry), SETREGSET, SYSEMU → SIGSEGV MAPERR at the entry
//    point (no GETREGS/ARCH_PRCTL first: it is no switch).
// A program with a real layout (x86_64 exec-child, static-layout.ts) goes as the 6.1 capture
// test/fixtures/uml/glibc-fork-exec.strace shows:
//  * the path is read from the caller's .rodata, a page a forked child does not have: one
//    kernel-mode fault = one stub run on the old mm, before the clone;
//  * after the clone: the hostfs calls that open and read the binary (hostfs.ts), then the
//    old mm's teardown;
//  * four stub runs on the new mm (binfmt-elf.ts): flush_thread, shift_arg_pages (2),
//    mprotect_fixup (exec-child has no .bss: no padzero);
//  * the fd stays open until the process exits (hostfs.ts close).
import { ERRNO, negErrnoReg } from '../kernel/errno.ts';
import { initialRegs } from '../kernel/regs.ts';
import { stackTop, textBase } from '../kernel/state.ts';
import { copyContextSkas0 } from './copy-context-skas0.ts';
import type { ProcessContext } from './fork.ts';
import type { GuestProcess } from './guest.ts';
import { GuestMm } from './guest-mm.ts';
import type { GuestPrograms } from './guest-programs.ts';
import { destroyContext } from './sched.ts';
import { loadElfTail } from './binfmt-elf.ts';
import { GUEST_MMAP_BASE } from './start-userspace.ts';

const PATH_MAX_READ = 64;

function readPath(ctx: ProcessContext, p: GuestProcess, addr: bigint): string | null {
  const raw = ctx.guest.readMemory(p.hostPid, addr, PATH_MAX_READ);
  if (!raw) return null;
  const nul = raw.indexOf(0);
  return new TextDecoder().decode(raw.subarray(0, nul < 0 ? raw.length : nul));
}

export function guestExecve(ctx: ProcessContext, programs: GuestPrograms, p: GuestProcess, pathAddr: bigint): bigint {
  const { mem } = ctx;
  const host = mem.c.host;
  const arch = mem.kernel.arch;
  const path = readPath(ctx, p, pathAddr);
  if (path === null) return negErrnoReg(ERRNO.EFAULT);
  const program = programs.get(path);
  if (!program) return negErrnoReg(ERRNO.ENOENT);
  const old = mem.mms.get(p.hostPid);
  if (!old) throw new Error(`simulator bug: no mm for guest process ${p.gpid}`);
  const { pid, stubDataFrame } = copyContextSkas0(mem, p.hostPid, ctx.hz);
  host.markEvent('copy_context_skas0');
  const fd = program.layout ? ctx.hostfs.openForExec(program.layout.fileBytes) : undefined;
  if (fd !== undefined) host.markEvent(`exec:hostfs:${path}`);
  destroyContext(host, mem, mem.c.profile, old.hostPid);
  host.markEvent(`exec:teardown:${p.gpid}`);
  for (const fd of p.hostFds ?? []) ctx.hostfs.close(fd); // the old mm's exit_mmap: fput
  p.hostFds = fd === undefined ? [] : [fd];
  const mm = new GuestMm(pid, stubDataFrame, GUEST_MMAP_BASE);
  mem.mms.set(pid, mm);
  p.hostPid = pid;
  const top = stackTop(arch);
  if (!program.layout) {
    // flush_thread: unmap(0, TASK_SIZE) — everything the clone inherited below and above the stub.
    const L = mem.stub;
    mem.runOps(mm, [
      { kind: 'munmap', start: 0n, len: L.code },
      { kind: 'munmap', start: L.data + L.page, len: top - (L.data + L.page) },
    ]);
  }
  programs.load(mem, mm, path);
  let sp = top - 8n;
  if (program.layout && fd !== undefined) sp = loadElfTail(mem, ctx.hostfs, mm, program.layout, top, { fd, bytes: program.layout.fileBytes });
  else {
    mem.handlePageFault(mm, top - 8n, 'write'); // copy_strings: argv/envp on the new stack
    mem.flushTlbPage(mm, top - 8n);
  }
  host.markEvent(`exec:${path}`);
  const regs = initialRegs(arch, program.layout?.entry ?? textBase(arch), sp);
  regs[arch.origAx] = arch.mask;
  p.regs = regs;
  p.fs = 0n;
  ctx.guest.trace.push(`${p.gpid} exec ${path}`);
  return 0n;
}
