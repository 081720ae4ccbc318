// Usermode helpers at boot: the host side of a kernel thread's failed kernel_execve.
//
// Every uevent (lib/kobject_uevent.c kobject_uevent_env → call_usermodehelper_exec with
// CONFIG_UEVENT_HELPER_PATH "/sbin/hotplug", UMH_NO_WAIT) and every request_module
// (kernel/kmod.c → /sbin/modprobe, UMH_WAIT_PROC) runs call_usermodehelper_exec_async in a new
// kernel thread (kernel/umh.c), which calls kernel_execve (fs/exec.c). alloc_bprm →
// bprm_mm_init → mm_alloc → init_new_context (arch/um/kernel/skas/mmu.c): the thread has no
// mm, so start_userspace makes a new host process (SIGSTOP, OLDSETOPTIONS). copy_strings puts
// argv/envp in the new stack page (UML's page tables only). The exec then fails: during the
// initcalls the root is still the empty rootfs, so neither helper exists (ENOENT). free_bprm →
// mmput → exit_mmap: unmap_vmas zaps the page (pte_clear leaves _PAGE_NEWPAGE), and
// tlb_finish_mmu → flush_tlb_mm → fix_range pushes one munmap: one stub run. mmdrop →
// destroy_context → os_kill_ptraced_process: kill, PTRACE_KILL, CONT → ESRCH, wait4(NULL).
//
// Evidence (uml/README.md "Boot: usermode helpers"): 13 real boots, every helper exactly
//   wait4 → SIGSTOP, OLDSETOPTIONS, SETREGS(rip 0x7fc000009b), CONT, wait4 → SIGTRAP,
//   KILL, CONT(garbage) = ESRCH, wait4(P, NULL, __WALL)      (test/fixtures/uml/boot-6.1.strace.gz)
// and one such process per write to a uevent file or per request_module from init
// (test/fixtures/uml/usermode-helper-modreq.strace), none with /proc/sys/kernel/hotplug empty.
// What varies between real boots and is not modelled: the count (464–618 before init, median
// 556, while /sys/kernel/uevent_seqnum is 735 in every boot: not every uevent gets a helper,
// and which ones do depends on timing); 2–12 % of the teardowns come later, in a batch (the
// mm's last reference dropped after another task switch); ticks meanwhile (0–3 restarted
// wait4s). The model runs the helpers one after another, each torn down at once, before
// UML's timer is armed, so they shift no guest tick of the run.
import type { Insn } from '../kernel/isa.ts';
import { stackTop } from '../kernel/state.ts';
import { PAGE_SIZE } from '../kernel/memory.ts';
import { GuestMm, type UmlMemory } from './guest-mm.ts';
import { destroyContext } from './sched.ts';
import { GUEST_MMAP_BASE, startUserspaceProcess } from './start-userspace.ts';

/** One helper: start_userspace, the failed exec's exit_mmap flush, destroy_context. */
export function runUsermodeHelper(mem: UmlMemory, trampExtra: readonly Insn[] = []): void {
  const host = mem.c.host;
  const { pid, dataFrame } = startUserspaceProcess(mem, trampExtra);
  const mm = new GuestMm(pid, dataFrame, GUEST_MMAP_BASE);
  mem.mms.set(pid, mm);
  // The argument page at the top of the new stack: never on the host, but its zapped PTE is
  // "new", so fix_range unmaps it.
  const page = BigInt(PAGE_SIZE);
  mem.runOps(mm, [{ kind: 'munmap', start: stackTop(mem.kernel.arch) - page, len: page }]);
  destroyContext(host, mem, mem.c.profile, pid);
}

/** The boot's helpers, before init (`count` from the boot switch or the profile). */
export function runUsermodeHelpers(mem: UmlMemory, count: number, trampExtra: readonly Insn[] = []): void {
  const host = mem.c.host;
  const was = host.event;
  host.event = 'usermode_helper'; // `trace`'s guestEvent of these calls
  for (let i = 0; i < count; i++) runUsermodeHelper(mem, trampExtra);
  host.event = was;
}
