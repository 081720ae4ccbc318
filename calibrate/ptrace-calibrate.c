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
  printf("    \"fileWrite64\": %.1f\n", file_write64);
  printf("  }\n}\n");
  return (int)(sink & 0);
}
