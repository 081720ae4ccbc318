/*
 * init.c - static guest init for User-Mode Linux host-side captures.
 *
 * Built twice (see scripts/uml-capture.sh):
 *   cc -static -O2 -o init       init.c            trace variant
 *   cc -static -O2 -DTIMED -o init-timed init.c    timed variant
 *
 * TRACE variant: runs the phases below, each bracketed by
 *   write(1, "MARK <phase>-begin\n") ... write(1, "MARK <phase>-end\n")
 * so that a host `strace -e trace=ptrace,wait4,write linux.uml ...` log can
 * be cut at the host write() that UML issues for each marker.
 *   getpid  : N getpid() calls                      (guest syscall)
 *   fault   : first touch of N fresh mmapped pages   (guest page fault)
 *   tick    : a short pure user-mode CPU loop (~15 ms: 1-2 timer ticks)
 *   spin    : a longer one (~100 ms: several timer ticks)
 *   fork    : N x fork(); child _exit(0); wait4()    (fork+exit)
 *   exec    : N x fork(); child execve(/exec-child); wait4()  (fork+exec)
 *   sysemu0 : (only if asked) write "0" to /proc/sysemu, then getpid()
 * then reboot(RB_POWER_OFF), which makes linux.uml exit.
 *
 * Parameters come from the kernel command line after "--" (passed to init
 * as argv): getpid=N pages=N tick=ITERS spin=ITERS fork=N exec=N
 * sysemu0=1 warmup=0|1 maps=0|1 phases=getpid,fault,tick,spin,fork,exec (order/subset).
 * maps=1 prints init's /proc/self/maps (each line prefixed "MAPS ") after the
 * warm-up round: the guest address space the measured fork and exec copy.
 * Before the measured round, a warm-up round runs every phase once with
 * its markers written to /dev/null (warmup=0 turns it off), so the marked
 * segments hold no demand-paging faults of init itself.  The warm-up runs
 * fork and exec first (a fork write-protects init's pages for COW); put
 * fork/exec last in phases= too, or the phases after them take COW faults.
 *
 * TIMED variant: no markers between single operations; measures with
 * clock_gettime(CLOCK_MONOTONIC) inside the guest and prints one line
 *   JSON {...}
 * with medians (ns) over reps=N (default 1000) of getpid, a 64-byte
 * console write (write(1, buf, 64), no newline: one host write(1) by UML,
 * see uml/README.md), first-touch page fault, fork+_exit+wait and
 * (reps/10) fork+execve+wait, plus the
 * median of an empty clock_gettime pair (the measurement overhead, which
 * in UML is itself a trapped syscall).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096

static void out(const char *s)
{
	size_t n = strlen(s);
	while (n) {
		ssize_t w = write(1, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* fd that markers go to: /dev/null during the warm-up round, 1 after it */
static int mark_fd = 1;

__attribute__((unused)) static void mark(const char *phase, const char *what)
{
	char buf[96];
	int n = snprintf(buf, sizeof buf, "MARK %s-%s\n", phase, what);
	write(mark_fd, buf, (size_t)n);
}

static long getarg(int argc, char **argv, const char *key, long dflt)
{
	size_t k = strlen(key);
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], key, k) && argv[i][k] == '=')
			return strtol(argv[i] + k + 1, NULL, 0);
	return dflt;
}

__attribute__((unused)) static const char *getstr(int argc, char **argv, const char *key, const char *dflt)
{
	size_t k = strlen(key);
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], key, k) && argv[i][k] == '=')
			return argv[i] + k + 1;
	return dflt;
}

/* raw getpid: glibc does not cache it, but be explicit */
static inline long raw_getpid(void) { return syscall(SYS_getpid); }

static void poweroff(void)
{
	sync();
	reboot(RB_POWER_OFF);
	/* not reached; if it is, spin rather than panic by exiting init */
	for (;;)
		pause();
}

static char *const child_argv[] = { "/exec-child", NULL };
static char *const child_envp[] = { NULL };

#ifndef TIMED
/* ----------------------------------------------------------- trace variant */

/* /proc/self/maps to the console, each line prefixed "MAPS " */
static void dump_maps(void)
{
	char buf[8192]; /* on the stack: the warm-up already touched it */
	int fd = open("/proc/self/maps", O_RDONLY);
	if (fd < 0) {
		out("init: no /proc/self/maps\n");
		return;
	}
	ssize_t n, len = 0;
	while (len < (ssize_t)sizeof buf - 1 && (n = read(fd, buf + len, sizeof buf - 1 - (size_t)len)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;
	for (char *sv, *ln = strtok_r(buf, "\n", &sv); ln; ln = strtok_r(NULL, "\n", &sv)) {
		out("MAPS ");
		out(ln);
		out("\n");
	}
}

static volatile unsigned long sink;

static void phase_getpid(long n)
{
	mark("getpid", "begin");
	for (long i = 0; i < n; i++)
		raw_getpid();
	mark("getpid", "end");
}

static void phase_fault(long n)
{
	/* mmap before the begin marker so the region holds only fresh pages */
	char *p = mmap(NULL, (size_t)n * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		out("init: mmap failed\n");
		return;
	}
	mark("fault", "begin");
	for (long i = 0; i < n; i++)
		p[i * PAGE] = 1; /* first write: one fault per page */
	mark("fault", "end");
	munmap(p, (size_t)n * PAGE);
}

static void phase_spin(const char *name, long iters)
{
	mark(name, "begin");
	unsigned long x = 0;
	for (long i = 0; i < iters; i++)
		x = x * 6364136223846793005UL + 1442695040888963407UL;
	sink = x;
	mark(name, "end");
}

static void phase_fork(long n)
{
	mark("fork", "begin");
	for (long i = 0; i < n; i++) {
		pid_t c = fork();
		if (c == 0)
			_exit(0);
		int st;
		waitpid(c, &st, 0);
	}
	mark("fork", "end");
}

static void phase_exec(long n)
{
	mark("exec", "begin");
	for (long i = 0; i < n; i++) {
		pid_t c = fork();
		if (c == 0) {
			execve(child_argv[0], child_argv, child_envp);
			_exit(127);
		}
		int st;
		waitpid(c, &st, 0);
	}
	mark("exec", "end");
}

static void phase_sysemu0(void)
{
	char v[8] = { 0 };
	int fd = open("/proc/sysemu", O_RDWR);
	if (fd < 0) {
		out("init: no /proc/sysemu\n");
		return;
	}
	if (read(fd, v, sizeof v - 1) > 0) {
		char buf[64];
		snprintf(buf, sizeof buf, "init: /proc/sysemu was %s", v);
		out(buf);
	}
	mark("sysemu0", "begin");
	lseek(fd, 0, SEEK_SET);
	write(fd, "0", 1);
	raw_getpid();
	raw_getpid();
	mark("sysemu0", "end");
	close(fd);
}

static void run_phases(const char *phases, long n_getpid, long n_pages,
		       long n_tick, long n_spin, long n_fork, long n_exec)
{
	char list[256];
	snprintf(list, sizeof list, "%s", phases);
	for (char *sv, *ph = strtok_r(list, ",", &sv); ph; ph = strtok_r(NULL, ",", &sv)) {
		if (!strcmp(ph, "getpid"))
			phase_getpid(n_getpid);
		else if (!strcmp(ph, "fault"))
			phase_fault(n_pages);
		else if (!strcmp(ph, "tick"))
			phase_spin("tick", n_tick);
		else if (!strcmp(ph, "spin"))
			phase_spin("spin", n_spin);
		else if (!strcmp(ph, "fork"))
			phase_fork(n_fork);
		else if (!strcmp(ph, "exec"))
			phase_exec(n_exec);
	}
}

int main(int argc, char **argv)
{
	const char *phases = getstr(argc, argv, "phases", "getpid,fault,tick,spin,fork,exec");
	long n_getpid = getarg(argc, argv, "getpid", 2);
	long n_pages = getarg(argc, argv, "pages", 2);
	long n_tick = getarg(argc, argv, "tick", 15000000);   /* ~15 ms: 1-2 ticks */
	long n_spin = getarg(argc, argv, "spin", 100000000);  /* ~100 ms: ~10 ticks */
	long n_fork = getarg(argc, argv, "fork", 1);
	long n_exec = getarg(argc, argv, "exec", 1);

	mount("proc", "/proc", "proc", 0, NULL);
	out("init: start\n");

	/*
	 * Warm-up round: the same code paths once, markers to /dev/null, so
	 * that the demand-paging faults of init's own text/rodata/stack/libc
	 * (and the guest page cache for /exec-child) happen here and not
	 * inside the measured phases.
	 */
	if (getarg(argc, argv, "warmup", 1)) {
		volatile char stack[64 * 1024];
		memset((char *)stack, 0, sizeof stack);
		mark_fd = open("/dev/null", O_WRONLY);
		if (mark_fd < 0)
			mark_fd = 1;
		/*
		 * fork/exec first: a fork write-protects all of init's pages
		 * (COW), and the other warm-up phases then take those
		 * write faults here instead of in the measured phases.
		 */
		run_phases("fork,exec,getpid,fault,tick,spin", 1, 1, 1000, 1000, 1, 1);
		if (mark_fd != 1)
			close(mark_fd);
		mark_fd = 1;
		out("init: warm-up done\n");
	}

	if (getarg(argc, argv, "maps", 0))
		dump_maps();
	run_phases(phases, n_getpid, n_pages, n_tick, n_spin, n_fork, n_exec);
	if (getarg(argc, argv, "sysemu0", 0))
		phase_sysemu0();

	mark("poweroff", "begin");
	poweroff();
	return 0;
}

#else
/* ----------------------------------------------------------- timed variant */

static inline int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

struct stats {
	int64_t median, p10, p90, min;
	long n;
};

static struct stats summarize(int64_t *v, long n)
{
	qsort(v, (size_t)n, sizeof *v, cmp64);
	struct stats s = { v[n / 2], v[n / 10], v[(n * 9) / 10], v[0], n };
	return s;
}

static int jstats(char *buf, size_t sz, const char *name, struct stats s, int comma)
{
	return snprintf(buf, sz,
			"\"%s\":{\"median_ns\":%lld,\"p10_ns\":%lld,\"p90_ns\":%lld,\"min_ns\":%lld,\"reps\":%ld}%s",
			name, (long long)s.median, (long long)s.p10, (long long)s.p90,
			(long long)s.min, s.n, comma ? "," : "");
}

int main(int argc, char **argv)
{
	long reps = getarg(argc, argv, "reps", 1000);
	long exec_reps = getarg(argc, argv, "exec_reps", reps / 10 > 0 ? reps / 10 : 1);
	long batch = getarg(argc, argv, "batch", 10000);
	int64_t *v = calloc((size_t)(reps > exec_reps ? reps : exec_reps), sizeof *v);
	int64_t t0, t1;

	mount("proc", "/proc", "proc", 0, NULL);
	out("MARK timed-begin\n");

	/* warm up: fault in the stack, the sample array and libc paths */
	memset(v, 0, (size_t)reps * sizeof *v);
	for (int i = 0; i < 100; i++) {
		raw_getpid();
		now_ns();
	}

	/* measurement overhead: two back-to-back clock reads */
	for (long i = 0; i < reps; i++) {
		t0 = now_ns();
		t1 = now_ns();
		v[i] = t1 - t0;
	}
	struct stats s_clock = summarize(v, reps);

	/* getpid, timed one at a time */
	for (long i = 0; i < reps; i++) {
		t0 = now_ns();
		raw_getpid();
		t1 = now_ns();
		v[i] = t1 - t0;
	}
	struct stats s_getpid = summarize(v, reps);

	/* getpid, mean over one long batch (no per-call clock overhead) */
	t0 = now_ns();
	for (long i = 0; i < batch; i++)
		raw_getpid();
	t1 = now_ns();
	int64_t getpid_batch_mean = (t1 - t0) / batch;

	/* 64-byte console write, timed one at a time: no newline, so the tty
	 * adds no "\r\n" and UML makes one host write(1, .., 64) per call */
	char wbuf[64];
	memset(wbuf, '.', sizeof wbuf); /* printable, no NUL, no newline */
	for (long i = 0; i < reps; i++) {
		t0 = now_ns();
		write(1, wbuf, sizeof wbuf);
		t1 = now_ns();
		v[i] = t1 - t0;
	}
	struct stats s_write = summarize(v, reps);
	out("\n");

	/* first-touch page fault on fresh anonymous pages */
	char *p = mmap(NULL, (size_t)reps * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (long i = 0; i < reps; i++) {
		volatile char *q = p + i * PAGE;
		t0 = now_ns();
		*q = 1;
		t1 = now_ns();
		v[i] = t1 - t0;
	}
	struct stats s_fault = summarize(v, reps);
	/* second touch of the same pages (no fault): memory-access baseline */
	for (long i = 0; i < reps; i++) {
		volatile char *q = p + i * PAGE;
		t0 = now_ns();
		*q = 2;
		t1 = now_ns();
		v[i] = t1 - t0;
	}
	struct stats s_touch2 = summarize(v, reps);
	munmap(p, (size_t)reps * PAGE);

	/* fork + child _exit(0) + waitpid */
	for (long i = 0; i < reps; i++) {
		t0 = now_ns();
		pid_t c = fork();
		if (c == 0)
			_exit(0);
		int st;
		waitpid(c, &st, 0);
		t1 = now_ns();
		v[i] = t1 - t0;
	}
	struct stats s_fork = summarize(v, reps);

	/* fork + child execve(tiny static) + waitpid */
	for (long i = 0; i < exec_reps; i++) {
		t0 = now_ns();
		pid_t c = fork();
		if (c == 0) {
			execve(child_argv[0], child_argv, child_envp);
			_exit(127);
		}
		int st;
		waitpid(c, &st, 0);
		t1 = now_ns();
		v[i] = t1 - t0;
	}
	struct stats s_exec = summarize(v, exec_reps);

	struct utsname u;
	uname(&u);
	char buf[2048];
	int n = 0;
	n += snprintf(buf + n, sizeof buf - n,
		      "JSON {\"guest_kernel\":\"%s %s %s\",\"clock\":\"CLOCK_MONOTONIC\","
		      "\"note\":\"per-op samples include one clock_gettime (see clock_pair)\",",
		      u.sysname, u.release, u.machine);
	n += jstats(buf + n, sizeof buf - n, "clock_pair", s_clock, 1);
	n += jstats(buf + n, sizeof buf - n, "getpid", s_getpid, 1);
	n += snprintf(buf + n, sizeof buf - n,
		      "\"getpid_batch\":{\"mean_ns\":%lld,\"calls\":%ld},",
		      (long long)getpid_batch_mean, batch);
	n += jstats(buf + n, sizeof buf - n, "write_console_64", s_write, 1);
	n += jstats(buf + n, sizeof buf - n, "page_fault_first_touch", s_fault, 1);
	n += jstats(buf + n, sizeof buf - n, "page_second_touch", s_touch2, 1);
	n += jstats(buf + n, sizeof buf - n, "fork_exit_wait", s_fork, 1);
	n += jstats(buf + n, sizeof buf - n, "fork_exec_wait", s_exec, 0);
	n += snprintf(buf + n, sizeof buf - n, "}\n");
	out(buf);
	out("MARK timed-end\n");
	poweroff();
	return 0;
}
#endif
