/* ptrace-calibrate: medians of the host costs ptsim's cost model prices (src/cost-model/).
 *
 * Build and run through scripts/calibrate.sh, which turns the JSON this prints on stdout into
 * src/cost-model/profiles/calibrated-local.json (src/cost-model/calibrate-profile.ts).
 *
 * Every measurement is a median over REPS samples. A sample times BATCH back-to-back calls
 * with clock_gettime(CLOCK_MONOTONIC) (vDSO) and divides; the timer's own cost (an empty
 * sample) is measured and subtracted. Round trips are timed one per sample. Tracer and
 * tracee are pinned to the same CPU (as the pinned UML timings in uml/README.md were), unless
 * -u is given. x86_64 Linux only.
 *
 * Host work that no UML host call does itself, but that a guest event makes the host do
 * (docs/cost-model.md "Host terms"), timed one event per sample, with no tracee involved:
 *   physmemFirstTouch  first write to a page of a MAP_SHARED file in $TMPDIR (or /tmp), as
 *                      UML's physmem file: shmem/page-cache page allocation and zeroing
 *   stubMmapTouch      mmap(MAP_SHARED|MAP_FIXED) of one populated page of that file + the
 *                      first write through the new mapping (a minor fault): the stub's host
 *                      mmap and the tracee's retried access after a guest page fault
 *   stubMmapFixed      mmap(MAP_SHARED|MAP_FIXED) of one populated page of that file over a
 *                      reserved, never-touched page, no access: one of the stub's host mmaps in
 *                      a stub run (a new host process's copied mappings have no page-table
 *                      entries yet: copy_page_range skips shared file mappings) (UML
 *                      6.1's fix_range/force_flush_all, arch/um/kernel/tlb.c; counts per stub
 *                      run from scripts/uml-host-syscalls.sh)
 *   stubMprotect       mprotect(PROT_READ) of one such page: the stub's host mprotect
 *   stubMunmap         munmap of one such page: the stub's host munmap
 *   hostFork           fork() as the parent sees it (copy_process of this small process)
 *   hostForkExitWait   fork() + child _exit(0) + waitpid(): create, exit, tear down, reap
 *   fileWrite64        write(fd, 64 bytes) to a file in $TMPDIR: UML's host write of a guest
 *                      console line when the console is a file (scripts/uml-capture.sh)
 *
 * A UML 6.1 host process's life (umlProc*), rebuilt from what real UML does (citations inline in
 * uml_proc_costs below; /work/shared/reference/uml-skas.md §3, §6, §7; the maps of a real host
 * process, test/fixtures/uml/host-6.1-2026-12-03/host-process-maps.txt; the per-fork counts of
 * scripts/uml-host-syscalls.sh, host-syscalls.jsonl): a traced parent host process made as
 * start_userspace makes one, holding 32 MAP_SHARED pieces of a physmem file, is resumed into a
 * stub that clones a child as copy_context_skas0's stub does; the child re-maps 21 pieces, unmaps
 * 11, reads a few pages, and is killed and reaped as destroy_context does. Not reproduced: the stub
 * code is this program's own text (UML's is a private mapping of a physmem page), the parent keeps
 * this program's mappings (a real host process keeps what is left of UML's above the stub), the
 * child's re-maps and unmaps run in two stub runs (UML spreads them over ~12), and the parent's
 * COW write-protect stub runs after the clone are left out (stub runs are priced per run, not
 * here). One life per sample:
 *   umlProcCreate      the stub clone's run (SETREGS + CONT + wait4 parent + wait4 child +
 *                      OLDSETOPTIONS) − the same parent's plain stub run (SETREGS + CONT + int3
 *                      wait4), paired per sample: the new host process, as UML sees it
 *   umlProcMmap        per mmap(MAP_SHARED|MAP_FIXED) of a piece in the new process's stub run
 *                      (21 in one run) − its plain stub run, ÷ 21
 *   umlProcMunmap      per munmap of a piece (11 in one run), the same way
 *   umlProcTouch       per first read of a re-mapped piece's page (UML_PROC_TOUCHES in one run)
 *   umlProcKill        kill(SIGKILL) + PTRACE_KILL + PTRACE_CONT (ESRCH) + wait4(P, NULL,
 *                      __WALL): the new process's exit, mm teardown and reap, as UML tears it down
 *   umlProcStubClone, umlProcStubRunParent, umlProcStubRunChild: the raw intervals behind them
 *                      (the clone run; a plain SETREGS + CONT + int3 wait4 of the parent and of
 *                      the child, each right after the heavier work of its sample)
 *   umlProcStubRunWarm the parent's plain stub run back to back (as setregsContInt3RoundTrip)
 *
 *   usage: ptrace-calibrate [-r REPS] [-u]
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef PTRACE_SYSEMU
#define PTRACE_SYSEMU 31
#endif
#define PTRACE_MULTI_NR 0x4300 /* never merged: a stock kernel answers EIO after the attach check */
#define BATCH 8
#define PTRACE_OLDSETOPTIONS_NR 21 /* what UML 6.1 calls (uml-skas.md §10) */

/* The stub: an int3 the tracer points rip at before each CONT (UML's stub run, reduced). */
__asm__(".text\n.globl calib_int3\ncalib_int3:\n\tint3\n\tjmp calib_int3\n");
extern char calib_int3[];

static int reps = 2001;
static pid_t child;
static long sink;

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp);
  return v[n / 2];
}

static void die(const char *what) {
  fprintf(stderr, "ptrace-calibrate: %s: %s\n", what, strerror(errno));
  if (child > 0) kill(child, SIGKILL);
  exit(1);
}

static void wait_stop(int want) {
  int st;
  if (waitpid(child, &st, __WALL) != child) die("waitpid");
  if (!WIFSTOPPED(st) || (want && (WSTOPSIG(st) & 0x7f) != want)) {
    fprintf(stderr, "ptrace-calibrate: unexpected wait status 0x%x\n", st);
    kill(child, SIGKILL);
    exit(1);
  }
}

/* Per-call median of op() timed BATCH at a time, minus the empty-sample median. */
static double overhead_ns;
typedef void (*op_fn)(void);
static double measure(op_fn op) {
  double *v = malloc(sizeof(double) * (size_t)reps);
  if (!v) die("malloc");
  for (int i = 0; i < 32; i++) op(); /* warm-up */
  for (int i = 0; i < reps; i++) {
    double t0 = now_ns();
    for (int j = 0; j < BATCH; j++) op();
    v[i] = (now_ns() - t0 - overhead_ns) / BATCH;
  }
  double m = median(v, reps);
  free(v);
  return m;
}

static void op_empty(void) {}
static void op_null_syscall(void) { sink += syscall(SYS_getppid); }
static void op_null_ptrace(void) {
  if (ptrace(PTRACE_MULTI_NR, child, 0, 0) != -1 || errno != EIO) die("null ptrace (expected EIO)");
}
static struct user_regs_struct regs;
static void op_getregs(void) { if (ptrace(PTRACE_GETREGS, child, 0, &regs)) die("GETREGS"); }
static void op_setregs(void) { if (ptrace(PTRACE_SETREGS, child, 0, &regs)) die("SETREGS"); }
static unsigned char xstate[8192] __attribute__((aligned(64)));
static size_t xstate_len;
static void op_getregset(void) {
  struct iovec io = { xstate, sizeof xstate };
  if (ptrace(PTRACE_GETREGSET, child, NT_X86_XSTATE, &io)) die("GETREGSET");
  xstate_len = io.iov_len;
}
static void op_setregset(void) {
  struct iovec io = { xstate, xstate_len };
  if (ptrace(PTRACE_SETREGSET, child, NT_X86_XSTATE, &io)) die("SETREGSET");
}
static siginfo_t si;
static void op_getsiginfo(void) { if (ptrace(PTRACE_GETSIGINFO, child, 0, &si)) die("GETSIGINFO"); }
static long peek_target;
static void op_peekdata(void) {
  errno = 0;
  sink += ptrace(PTRACE_PEEKDATA, child, &peek_target, 0);
  if (errno) die("PEEKDATA");
}
static void op_peekuser(void) {
  errno = 0;
  sink += ptrace(PTRACE_PEEKUSER, child, (void *)offsetof(struct user_regs_struct, orig_rax), 0);
  if (errno) die("PEEKUSER");
}
static char vm_src[65536], vm_dst[65536];
static size_t vm_len;
static void op_vm_readv(void) {
  struct iovec l = { vm_dst, vm_len }, r = { vm_src, vm_len };
  if (syscall(SYS_process_vm_readv, child, &l, 1, &r, 1, 0) != (long)vm_len) die("process_vm_readv");
}

/* Round trips, one per sample. */
static double sysemu_round_trip(void) {
  double *v = malloc(sizeof(double) * (size_t)reps);
  for (int i = -32; i < reps; i++) {
    double t0 = now_ns();
    if (ptrace(PTRACE_SYSEMU, child, 0, 0)) die("SYSEMU");
    wait_stop(SIGTRAP);
    if (i >= 0) v[i] = now_ns() - t0 - overhead_ns;
  }
  double m = median(v, reps);
  free(v);
  return m;
}

static double stub_round_trip(void) {
  double *v = malloc(sizeof(double) * (size_t)reps);
  struct user_regs_struct stub = regs;
  stub.rip = (unsigned long)calib_int3;
  stub.orig_rax = (unsigned long)-1;
  for (int i = -32; i < reps; i++) {
    double t0 = now_ns();
    if (ptrace(PTRACE_SETREGS, child, 0, &stub)) die("SETREGS (stub)");
    if (ptrace(PTRACE_CONT, child, 0, 0)) die("CONT");
    wait_stop(SIGTRAP);
    if (i >= 0) v[i] = now_ns() - t0 - overhead_ns;
  }
  double m = median(v, reps);
  free(v);
  return m;
}

/* ---- host work outside the tracer's calls (see the header) ---- */
#define PAGE 4096
static double median_free(double *v) {
  double m = median(v, reps);
  free(v);
  return m;
}

static int physmem_fd(size_t bytes) {
  const char *dir = getenv("TMPDIR");
  char path[4096];
  snprintf(path, sizeof path, "%s/ptrace-calibrate-XXXXXX", dir && *dir ? dir : "/tmp");
  int fd = mkstemp(path);
  if (fd < 0) die("mkstemp");
  unlink(path);
  if (ftruncate(fd, (off_t)bytes)) die("ftruncate");
  return fd;
}

static void physmem_costs(double *first_touch, double *mmap_touch, double *mmap_fixed, double *mprotect_page, double *munmap_page) {
  size_t n = (size_t)reps + 32, bytes = n * PAGE;
  int fd = physmem_fd(bytes);
  volatile char *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (m == MAP_FAILED) die("mmap physmem");
  double *v = malloc(sizeof(double) * (size_t)reps);
  for (size_t i = 0; i < n; i++) {
    double t0 = now_ns();
    m[i * PAGE] = 1;
    if (i >= 32) v[i - 32] = now_ns() - t0 - overhead_ns;
  }
  *first_touch = median_free(v);
  /* the same (now populated) pages mapped again one at a time at fixed addresses */
  char *area = mmap(NULL, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (area == MAP_FAILED) die("mmap area");
  v = malloc(sizeof(double) * (size_t)reps);
  for (size_t i = 0; i < n; i++) {
    double t0 = now_ns();
    volatile char *q = mmap(area + i * PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, (off_t)(i * PAGE));
    if (q == MAP_FAILED) die("mmap fixed");
    *q = 2;
    if (i >= 32) v[i - 32] = now_ns() - t0 - overhead_ns;
  }
  *mmap_touch = median_free(v);
  /* the stub's calls alone: map each page over a never-touched reserved page, change its protection, unmap it */
  char *area2 = mmap(NULL, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (area2 == MAP_FAILED) die("mmap area2");
  double *f = malloc(sizeof(double) * (size_t)reps), *pr = malloc(sizeof(double) * (size_t)reps), *u = malloc(sizeof(double) * (size_t)reps);
  for (size_t i = 0; i < n; i++) {
    double t0 = now_ns();
    if (mmap(area2 + i * PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, (off_t)(i * PAGE)) == MAP_FAILED) die("mmap fixed (stub)");
    double t1 = now_ns();
    if (mprotect(area2 + i * PAGE, PAGE, PROT_READ)) die("mprotect");
    double t2 = now_ns();
    if (munmap(area2 + i * PAGE, PAGE)) die("munmap");
    double t3 = now_ns();
    if (i >= 32) {
      f[i - 32] = t1 - t0 - overhead_ns;
      pr[i - 32] = t2 - t1 - overhead_ns;
      u[i - 32] = t3 - t2 - overhead_ns;
    }
  }
  *mmap_fixed = median_free(f);
  *mprotect_page = median_free(pr);
  *munmap_page = median_free(u);
  munmap(area2, bytes);
  munmap(area, bytes);
  munmap((void *)m, bytes);
  close(fd);
}

static int write_fd;
static char write_buf[64];
static void op_file_write64(void) {
  if (write(write_fd, write_buf, sizeof write_buf) != (ssize_t)sizeof write_buf) die("write");
}

static void fork_costs(double *fork_only, double *fork_exit_wait) {
  double *a = malloc(sizeof(double) * (size_t)reps), *b = malloc(sizeof(double) * (size_t)reps);
  for (int i = -32; i < reps; i++) {
    double t0 = now_ns();
    pid_t c = fork();
    if (c < 0) die("fork (host)");
    if (c == 0) _exit(0);
    double t1 = now_ns();
    if (waitpid(c, NULL, 0) != c) die("waitpid (host)");
    double t2 = now_ns();
    if (i >= 0) {
      a[i] = t1 - t0 - overhead_ns;
      b[i] = t2 - t0 - overhead_ns;
    }
  }
  *fork_only = median_free(a);
  *fork_exit_wait = median_free(b);
}

/* ---- a UML 6.1 host process's life (see the header; umlProc*) ----
 * Layout of the parent host process (test/fixtures/uml/host-6.1-2026-12-03/host-process-maps.txt,
 * a real one's /proc/PID/maps: 31 MAP_SHARED pieces of the physmem file at 0x400000…, 1–32 pages
 * each at scattered file offsets, the stub code page at 0x7fc0000000 and the stub data page at
 * 0x7fc0001000 (MAP_SHARED), UML's own libc, ld.so and stack above; RssFile 444 kB). Here 32
 * pieces of 1–10 pages (the per-fork mmaps are 1–10 pages, host-syscalls.jsonl), one unmapped
 * page between pieces so that no two merge, every page written once (present, as the guest's). */
#define UMLP_PIECES 32
#define UMLP_REMAPS 21 /* per fork: 21.2 mmap (host-syscalls.jsonl) */
#define UMLP_UNMAPS 11 /* per fork: 11.0 munmap */
#define UMLP_TOUCHES 4 /* "a few" first reads of re-mapped pages: the count is not measured on real UML */
#define UMLP_BASE 0x400000UL
#define UMLP_STUB_DATA 0x7fc0001000UL /* STUB_DATA of UML 6.1 x86_64 (uml-skas.md §1) */
#define UMLP_FILE_BYTES (64UL << 20) /* mem=64M (scripts/uml-capture.sh) */
#define UMLP_STUB_PAGES 64 /* a new stub data page per new mm (init_new_context allocates one) */
static unsigned long umlp_addr[UMLP_PIECES], umlp_len[UMLP_PIECES], umlp_off[UMLP_PIECES];
static long umlp_fd = -1;
static volatile long umlp_sink;
static double umlp_warm_run;

static inline long rsys6(long n, long a, long b, long c, long d, long e, long f) {
  register long r10 __asm__("r10") = d, r8 __asm__("r8") = e, r9 __asm__("r9") = f;
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9) : "rcx", "r11", "memory");
  return ret;
}

/* The stub clone (UML 6.1 stub_clone_handler, arch/um/kernel/skas/clone.c; uml-skas.md §6, §10):
 * clone(CLONE_PARENT|CLONE_FILES|SIGCHLD) on a stack in the second half of the stub data page;
 * the parent stores the new pid in stub data word 0 and traps; the child does PTRACE_TRACEME,
 * mmaps its own stub data page over STUB_DATA (MAP_SHARED|MAP_FIXED, file offset in word 1, fd
 * in word 2, both written by the tracer as UML writes them), stores the result and traps. No
 * stack is used after the clone (the two halves of one shared page). */
__asm__(".text\n.globl calib_stub_clone\ncalib_stub_clone:\n"
        "\tmovabs $0x7fc0001000, %rcx\n"
        "\tlea 2048(%rcx), %rsi\n"
        "\tmov $56, %eax\n"                 /* SYS_clone */
        "\tmov $0x8411, %edi\n"             /* CLONE_PARENT | CLONE_FILES | SIGCHLD */
        "\txor %edx, %edx\n\txor %r10d, %r10d\n\txor %r8d, %r8d\n"
        "\tsyscall\n"
        "\ttest %rax, %rax\n\tjz 1f\n"
        "\tmovabs $0x7fc0001000, %rcx\n\tmov %rax, (%rcx)\n"
        "2:\tint3\n\tjmp 2b\n"
        "1:\tmov $101, %eax\n\txor %edi, %edi\n\txor %esi, %esi\n\txor %edx, %edx\n\txor %r10d, %r10d\n\tsyscall\n" /* PTRACE_TRACEME */
        "\tmovabs $0x7fc0001000, %rdi\n\tmov 8(%rdi), %r9\n\tmov 16(%rdi), %r8\n"
        "\tmov $9, %eax\n\tmov $4096, %esi\n\tmov $3, %edx\n\tmov $0x11, %r10d\n\tsyscall\n" /* mmap(STUB_DATA, PAGE, RW, MAP_SHARED|MAP_FIXED, fd, off) */
        "\tmovabs $0x7fc0001000, %rdi\n\tmov %rax, 24(%rdi)\n"
        "3:\tint3\n\tjmp 3b\n");
extern char calib_stub_clone[];

static void __attribute__((noreturn)) umlp_trap(void) {
  for (;;) __asm__ volatile("int3");
}

/* The new process's first stub runs (fork_handler → force_flush_all → fix_range over every VMA:
 * present pages mapped, the rest unmapped; uml-skas.md §6): re-map 21 of the inherited pieces
 * read-only (the COW write-protected parent's pages: PROT_READ, MAP_SHARED|MAP_FIXED, the same
 * file offsets), then unmap the other 11. */
static void __attribute__((noreturn, noinline)) umlp_stub_remap(void) {
  for (int i = 0; i < UMLP_REMAPS; i++)
    if (rsys6(SYS_mmap, (long)umlp_addr[i], (long)umlp_len[i], PROT_READ, MAP_SHARED | MAP_FIXED, umlp_fd, (long)umlp_off[i]) != (long)umlp_addr[i]) __asm__ volatile("ud2");
  umlp_trap();
}
static void __attribute__((noreturn, noinline)) umlp_stub_unmap(void) {
  for (int i = UMLP_REMAPS; i < UMLP_REMAPS + UMLP_UNMAPS; i++)
    if (rsys6(SYS_munmap, (long)umlp_addr[i], (long)umlp_len[i], 0, 0, 0, 0) != 0) __asm__ volatile("ud2");
  umlp_trap();
}
/* The guest's first reads of a few re-mapped pages (host minor faults UML never sees). */
static void __attribute__((noreturn, noinline)) umlp_stub_touch(void) {
  for (int i = 0; i < UMLP_TOUCHES; i++) umlp_sink += *(volatile char *)umlp_addr[i * (UMLP_REMAPS / UMLP_TOUCHES)];
  umlp_trap();
}

static void wait_pid_stop(pid_t p, int want) {
  int st;
  if (waitpid(p, &st, __WALL) != p) die("waitpid (uml process)");
  if (!WIFSTOPPED(st) || (WSTOPSIG(st) & 0x7f) != want) {
    fprintf(stderr, "ptrace-calibrate: uml process %d: unexpected wait status 0x%x\n", p, st);
    kill(p, SIGKILL);
    exit(1);
  }
}

static void stub_run(pid_t p, const struct user_regs_struct *base, void *rip) {
  struct user_regs_struct r = *base;
  r.rip = (unsigned long)rip;
  r.rsp = UMLP_STUB_DATA + PAGE - 72; /* on the stub data page, as UML's stub (16-byte frame alignment) */
  r.orig_rax = (unsigned long)-1;
  if (ptrace(PTRACE_SETREGS, p, 0, &r)) die("SETREGS (uml process)");
  if (ptrace(PTRACE_CONT, p, 0, 0)) die("CONT (uml process)");
  wait_pid_stop(p, SIGTRAP);
}

/* The parent host process, made as start_userspace makes one (uml-skas.md §3: clone(CLONE_FILES |
 * SIGCHLD), PTRACE_TRACEME, the stub pages mapped, kill(self, SIGSTOP); the tracer then sets
 * TRACESYSGOOD), then holding the guest's pieces. It drops the tracer's whole-file mapping (a real
 * host process has none: its first stub runs unmap everything below the stub). */
static pid_t umlp_parent(volatile char *tracer_map) {
  pid_t p = (pid_t)syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, 0, 0, 0);
  if (p < 0) die("clone (uml parent)");
  if (p == 0) {
    if (ptrace(PTRACE_TRACEME, 0, 0, 0)) _exit(90);
    munmap((void *)tracer_map, UMLP_FILE_BYTES);
    for (int i = 0; i < UMLP_PIECES; i++) {
      char *a = mmap((void *)umlp_addr[i], umlp_len[i], PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, (int)umlp_fd, (off_t)umlp_off[i]);
      if (a != (char *)umlp_addr[i]) _exit(91);
      for (unsigned long o = 0; o < umlp_len[i]; o += PAGE) a[o] = 1;
    }
    if (mmap((void *)UMLP_STUB_DATA, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, (int)umlp_fd, (off_t)(UMLP_FILE_BYTES - PAGE)) != (void *)UMLP_STUB_DATA) _exit(92);
    kill(getpid(), SIGSTOP);
    umlp_trap();
  }
  wait_pid_stop(p, SIGSTOP);
  if (ptrace(PTRACE_SETOPTIONS, p, 0, PTRACE_O_TRACESYSGOOD)) die("SETOPTIONS (uml parent)");
  return p;
}

static void uml_proc_costs(double *create, double *clone_run, double *parent_run, double *mmap_call, double *munmap_call, double *touch, double *child_run, double *kill_reap) {
  /* physmem: a file in $TMPDIR (or /tmp), as UML's (arch/um/os-Linux/mem.c takes $TMPDIR first;
   * scripts/uml-capture.sh sets TMPDIR to a directory under /tmp: the real maps show
   * /tmp/uml-capture.XXXXXX/run/#INODE (deleted)), mem=64M long, mapped whole and shared by the tracer */
  umlp_fd = physmem_fd(UMLP_FILE_BYTES);
  volatile char *tm = mmap(NULL, UMLP_FILE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, (int)umlp_fd, 0);
  if (tm == MAP_FAILED) die("mmap physmem (uml)");
  static const unsigned char pages[UMLP_PIECES] = { 1, 3, 10, 1, 6, 7, 2, 5, 4, 7, 10, 7, 1, 2, 1, 1, 1, 1, 1, 2, 1, 1, 3, 1, 1, 4, 1, 2, 1, 5, 1, 2 };
  unsigned long va = UMLP_BASE, off = 0;
  for (int i = 0; i < UMLP_PIECES; i++) {
    umlp_addr[i] = va;
    umlp_len[i] = pages[i] * (unsigned long)PAGE;
    va += umlp_len[i] + PAGE;
  }
  for (int i = UMLP_PIECES - 1; i >= 0; i--) { /* scattered offsets: the pieces in reverse file order, one page apart */
    umlp_off[i] = (16UL << 20) + off;
    off += umlp_len[i] + PAGE;
  }
  pid_t p = umlp_parent(tm);
  struct user_regs_struct base;
  if (ptrace(PTRACE_GETREGS, p, 0, &base)) die("GETREGS (uml parent)");
  volatile long *pstub = (volatile long *)(tm + UMLP_FILE_BYTES - PAGE); /* the parent's stub data, UML's view */
  double *v[8];
  for (int k = 0; k < 8; k++) if (!(v[k] = malloc(sizeof(double) * (size_t)reps))) die("malloc");
  for (int i = -16; i < reps; i++) {
    unsigned long stub_off = UMLP_FILE_BYTES - (2 + (unsigned long)((i + 16) % UMLP_STUB_PAGES)) * PAGE;
    double t0 = now_ns();
    stub_run(p, &base, calib_int3);
    double t1 = now_ns();
    pstub[1] = (long)stub_off;
    pstub[2] = umlp_fd;
    double t2 = now_ns();
    struct user_regs_struct r = base;
    r.rip = (unsigned long)calib_stub_clone;
    r.orig_rax = (unsigned long)-1;
    if (ptrace(PTRACE_SETREGS, p, 0, &r)) die("SETREGS (stub clone)");
    if (ptrace(PTRACE_CONT, p, 0, 0)) die("CONT (stub clone)");
    wait_pid_stop(p, SIGTRAP);
    pid_t c = (pid_t)pstub[0];
    if (c <= 0) { errno = (int)-pstub[0]; die("stub clone"); }
    wait_pid_stop(c, SIGTRAP);
    if (ptrace(PTRACE_OLDSETOPTIONS_NR, c, 0, PTRACE_O_TRACESYSGOOD)) die("OLDSETOPTIONS (uml child)");
    double t3 = now_ns();
    if (*(volatile long *)(tm + stub_off + 24) != (long)UMLP_STUB_DATA) { fprintf(stderr, "ptrace-calibrate: stub-child reports error %ld\n", *(volatile long *)(tm + stub_off + 24)); kill(c, SIGKILL); exit(1); }
    struct user_regs_struct cb;
    if (ptrace(PTRACE_GETREGS, c, 0, &cb)) die("GETREGS (uml child)");
    double t4 = now_ns();
    stub_run(c, &cb, umlp_stub_remap);
    double t5 = now_ns();
    stub_run(c, &cb, umlp_stub_unmap);
    double t6 = now_ns();
    stub_run(c, &cb, umlp_stub_touch);
    double t7 = now_ns();
    stub_run(c, &cb, calib_int3);
    double t8 = now_ns();
    /* destroy_context → os_kill_ptraced_process (uml-skas.md §7, as UML 6.1 does it) */
    kill(c, SIGKILL);
    ptrace(PTRACE_KILL, c, 0, 0);
    ptrace(PTRACE_CONT, c, 0, 0);
    if (waitpid(c, NULL, __WALL) != c) die("wait4 (uml child)");
    double t9 = now_ns();
    if (i < 0) continue;
    double plain_c = t8 - t7 - overhead_ns;
    v[0][i] = (t3 - t2) - (t1 - t0);
    v[1][i] = t3 - t2 - overhead_ns;
    v[2][i] = t1 - t0 - overhead_ns;
    v[3][i] = (t5 - t4 - overhead_ns - plain_c) / UMLP_REMAPS;
    v[4][i] = (t6 - t5 - overhead_ns - plain_c) / UMLP_UNMAPS;
    v[5][i] = (t7 - t6 - overhead_ns - plain_c) / UMLP_TOUCHES;
    v[6][i] = plain_c;
    v[7][i] = t9 - t8 - overhead_ns;
  }
  /* the same plain stub run on the parent, back to back (warm), for comparison with the interleaved one */
  double *w = malloc(sizeof(double) * (size_t)reps);
  for (int i = -32; i < reps; i++) {
    double t0 = now_ns();
    stub_run(p, &base, calib_int3);
    if (i >= 0) w[i] = now_ns() - t0 - overhead_ns;
  }
  umlp_warm_run = median_free(w);
  *create = median_free(v[0]);
  *clone_run = median_free(v[1]);
  *parent_run = median_free(v[2]);
  *mmap_call = median_free(v[3]);
  *munmap_call = median_free(v[4]);
  *touch = median_free(v[5]);
  *child_run = median_free(v[6]);
  *kill_reap = median_free(v[7]);
  kill(p, SIGKILL);
  waitpid(p, NULL, __WALL);
  munmap((void *)tm, UMLP_FILE_BYTES);
  close((int)umlp_fd);
}

static void pin(pid_t pid) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(0, &set);
  if (sched_setaffinity(pid, sizeof set, &set)) die("sched_setaffinity");
}

int main(int argc, char **argv) {
  int opt, pinned = 1;
  while ((opt = getopt(argc, argv, "r:u")) != -1) {
    if (opt == 'r') reps = atoi(optarg);
    else if (opt == 'u') pinned = 0;
    else { fprintf(stderr, "usage: ptrace-calibrate [-r REPS] [-u]\n"); return 2; }
  }
  if (reps < 1001) reps = 1001;
  if (pinned) pin(0);
  peek_target = 0x1234;
  memset(vm_src, 0x5a, sizeof vm_src);
  child = fork();
  if (child < 0) die("fork");
  if (child == 0) {
    ptrace(PTRACE_TRACEME, 0, 0, 0);
    raise(SIGSTOP);
    for (;;) syscall(SYS_getppid); /* SYSEMU stops here each round */
  }
  wait_stop(SIGSTOP);
  overhead_ns = 0;
  overhead_ns = measure(op_empty) * BATCH;
  op_getregs();

  double null_syscall = measure(op_null_syscall);
  double null_ptrace = measure(op_null_ptrace);
  double getregs = measure(op_getregs);
  double setregs = measure(op_setregs);
  double getregset = measure(op_getregset);
  double setregset = measure(op_setregset);
  double getsiginfo = measure(op_getsiginfo);
  double peekdata = measure(op_peekdata);
  double peekuser = measure(op_peekuser);
  vm_len = 64;
  double vm_small = measure(op_vm_readv);
  vm_len = 65536;
  double vm_large = measure(op_vm_readv);
  double sysemu_rt = sysemu_round_trip();
  op_getregs();
  double stub_rt = stub_round_trip();
  kill(child, SIGKILL);
  waitpid(child, NULL, __WALL);
  double physmem_touch, stub_mmap_touch, stub_mmap_fixed, stub_mprotect, stub_munmap, host_fork, host_fork_exit_wait;
  physmem_costs(&physmem_touch, &stub_mmap_touch, &stub_mmap_fixed, &stub_mprotect, &stub_munmap);
  fork_costs(&host_fork, &host_fork_exit_wait);
  double up_create, up_clone_run, up_parent_run, up_mmap, up_munmap, up_touch, up_child_run, up_kill;
  uml_proc_costs(&up_create, &up_clone_run, &up_parent_run, &up_mmap, &up_munmap, &up_touch, &up_child_run, &up_kill);
  write_fd = physmem_fd(0);
  memset(write_buf, '.', sizeof write_buf);
  double file_write64 = measure(op_file_write64);
  close(write_fd);

  struct utsname u;
  uname(&u);
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  double load[3] = { 0, 0, 0 };
  getloadavg(load, 3);
  printf("{\n");
  printf("  \"tool\": \"calibrate/ptrace-calibrate.c\",\n");
  printf("  \"kernel\": \"%s %s %s\",\n", u.sysname, u.release, u.machine);
  printf("  \"cpus\": %ld, \"pinnedToCpu0\": %s, \"reps\": %d, \"batch\": %d,\n", ncpu, pinned ? "true" : "false", reps, BATCH);
  printf("  \"loadAverage1m\": %.2f,\n", load[0]);
  printf("  \"timerOverheadNs\": %.1f,\n", overhead_ns);
  printf("  \"xstateBytes\": %zu,\n", xstate_len);
  printf("  \"regsBytes\": %zu,\n", sizeof(struct user_regs_struct));
  printf("  \"medianNs\": {\n");
  printf("    \"nullSyscall\": %.1f,\n", null_syscall);
  printf("    \"nullPtrace\": %.1f,\n", null_ptrace);
  printf("    \"getregs\": %.1f,\n", getregs);
  printf("    \"setregs\": %.1f,\n", setregs);
  printf("    \"getregsetXstate\": %.1f,\n", getregset);
  printf("    \"setregsetXstate\": %.1f,\n", setregset);
  printf("    \"getsiginfo\": %.1f,\n", getsiginfo);
  printf("    \"peekdataWord\": %.1f,\n", peekdata);
  printf("    \"peekuserWord\": %.1f,\n", peekuser);
  printf("    \"processVmReadv64\": %.1f,\n", vm_small);
  printf("    \"processVmReadv65536\": %.1f,\n", vm_large);
  printf("    \"sysemuWait4RoundTrip\": %.1f,\n", sysemu_rt);
  printf("    \"setregsContInt3RoundTrip\": %.1f,\n", stub_rt);
  printf("    \"physmemFirstTouch\": %.1f,\n", physmem_touch);
  printf("    \"stubMmapTouch\": %.1f,\n", stub_mmap_touch);
  printf("    \"stubMmapFixed\": %.1f,\n", stub_mmap_fixed);
  printf("    \"stubMprotect\": %.1f,\n", stub_mprotect);
  printf("    \"stubMunmap\": %.1f,\n", stub_munmap);
  printf("    \"hostFork\": %.1f,\n", host_fork);
  printf("    \"hostForkExitWait\": %.1f,\n", host_fork_exit_wait);
  printf("    \"umlProcCreate\": %.1f,\n", up_create);
  printf("    \"umlProcStubClone\": %.1f,\n", up_clone_run);
  printf("    \"umlProcStubRunParent\": %.1f,\n", up_parent_run);
  printf("    \"umlProcMmap\": %.1f,\n", up_mmap);
  printf("    \"umlProcMunmap\": %.1f,\n", up_munmap);
  printf("    \"umlProcTouch\": %.1f,\n", up_touch);
  printf("    \"umlProcStubRunChild\": %.1f,\n", up_child_run);
  printf("    \"umlProcStubRunWarm\": %.1f,\n", umlp_warm_run);
  printf("    \"umlProcKill\": %.1f,\n", up_kill);
  printf("    \"fileWrite64\": %.1f\n", file_write64);
  printf("  }\n}\n");
  return (int)(sink & 0);
}
