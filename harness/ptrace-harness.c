/*
 * ptrace-harness: run a ptsim conformance script (docs/script-format.md)
 * against the real kernel and print one JSON line per tracer operation.
 *
 *   ptsim-harness SCRIPT        run SCRIPT
 *   ptsim-harness --help        usage
 *
 * Exit status: 0 ok; 1 run-time error (message on stderr); 2 script parse
 * error (`SCRIPT:LINE: message`); 3 the 10 s alarm fired.
 *
 * Design notes
 * - Every kernel call of the tracer that matters is a raw syscall(SYS_x, ...),
 *   so glibc rewrites nothing (e.g. glibc's ptrace() wrapper changes PEEK*).
 * - The child never returns into C after its prelude: the child ops are
 *   compiled ("assembled") into x86-64 machine code at CODE_ADDR before the
 *   fork.  Each syscall op is exactly 7 `movabs` + `syscall`, so the
 *   instruction path between two syscalls is fixed and documented (it matters
 *   for SINGLESTEP / SYSEMU_SINGLESTEP counts and for rip values).
 * - Clean-up: the child is in its own process group, has PDEATHSIG=SIGKILL,
 *   and at the end / on error / on the alarm the harness SIGKILLs the group
 *   and every pid it learned, then reaps until ECHILD.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------- layout */

#define PAGE_ADDR      0x70000000UL
#define RO_ADDR        0x70001000UL
#define UNMAPPED_ADDR  0x70002000UL
#define CODE_ADDR      0x70100000UL /* child machine code, RWX */
#define CODE_SIZE      0x10000UL
#define DATA_ADDR      0x70110000UL /* child data: argv, sigaction, exec path */
#define DATA_SIZE      0x1000UL
#define STACK_ADDR     0x70120000UL /* child stack (unused unless a signal frame) */
#define STACK_SIZE     0x10000UL
#define STACK_TOP      (STACK_ADDR + STACK_SIZE)

#define DATA_ARGV      (DATA_ADDR + 0x10) /* { path, NULL } */
#define DATA_ENVP      (DATA_ADDR + 0x20) /* { NULL } */
#define DATA_SIGACT    (DATA_ADDR + 0x40) /* kernel sigaction {SIG_IGN,0,0,0} */
#define DATA_PATH      (DATA_ADDR + 0x100)

#define BUF_SIZE       4096
#define BUF_SLACK      (64 * 1024) /* kernel may write past 4096 (@iov:2696) */

#define MAX_OPS        1024
#define MAX_SHOW       32
#define MAX_PIDS       64
#define MAX_PATCH      256

/* ------------------------------------------------------------- globals */

static const char *g_script = "script";
static char g_buf_store[BUF_SIZE + BUF_SLACK] __attribute__((aligned(4096)));
static unsigned char *const g_buf = (unsigned char *)g_buf_store;

static pid_t g_self;
static pid_t g_child = -1;
static pid_t g_nonexistent;
static volatile int g_traceme;

/* Pids learned (grandchildren), for output names and clean-up. */
static pid_t g_gc[MAX_PIDS];
static int g_ngc;
/* pids already reaped by us: never signal them again (pid reuse) */
static pid_t g_reaped[MAX_PIDS * 4];
static int g_nreaped;

static char g_exit0_path[PATH_MAX];

static unsigned char g_code[CODE_SIZE];
static size_t g_code_len;
static size_t g_patch[MAX_PATCH]; /* code offsets of imm64 = child pid */
static int g_npatch;
static int g_uses_exec;

/* ----------------------------------------------------------- utilities */

static void die_parse(int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
static void die_parse(int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s:%d: ", g_script, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void cleanup(void);

static void die_run(int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
static void die_run(int line, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	if (line > 0)
		fprintf(stderr, "%s:%d: ", g_script, line);
	else
		fprintf(stderr, "ptsim-harness: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cleanup();
	exit(1);
}

static const char *errname(int e)
{
	static char tmp[32];
	const char *n = strerrorname_np(e);
	if (n)
		return n;
	snprintf(tmp, sizeof tmp, "E%d", e);
	return tmp;
}

/* ------------------------------------------------------ pid bookkeeping */

static int is_reaped(pid_t p)
{
	for (int i = 0; i < g_nreaped; i++)
		if (g_reaped[i] == p)
			return 1;
	return 0;
}

static void mark_reaped(pid_t p)
{
	if (!is_reaped(p) && g_nreaped < (int)(sizeof g_reaped / sizeof g_reaped[0]))
		g_reaped[g_nreaped++] = p;
}

static int is_gc(pid_t p)
{
	for (int i = 0; i < g_ngc; i++)
		if (g_gc[i] == p)
			return 1;
	return 0;
}

static void add_gc(pid_t p)
{
	if (p > 0 && p != g_child && p != g_self && !is_gc(p) && g_ngc < MAX_PIDS)
		g_gc[g_ngc++] = p;
}

/* Read pid, state, ppid, pgrp from /proc/PID/stat. 0 on success. */
static int read_stat(pid_t pid, char *state, pid_t *ppid, pid_t *pgrp)
{
	char path[64], b[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, b, sizeof b - 1);
	close(fd);
	if (n <= 0)
		return -1;
	b[n] = 0;
	char *p = strrchr(b, ')');
	if (!p)
		return -1;
	int pp = 0, pg = 0;
	char st = 0;
	if (sscanf(p + 1, " %c %d %d", &st, &pp, &pg) != 3)
		return -1;
	*state = st;
	*ppid = pp;
	*pgrp = pg;
	return 0;
}

/* Learn grandchildren: processes whose parent is the child or that are in
 * the child's process group.  Also reports whether any relevant process is
 * runnable (state R or D) in *busy. */
static void scan_proc(int *busy)
{
	if (busy)
		*busy = 0;
	if (g_child <= 0)
		return;
	DIR *d = opendir("/proc");
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid_t p = (pid_t)atoi(de->d_name);
		char st;
		pid_t ppid, pgrp;
		if (read_stat(p, &st, &ppid, &pgrp))
			continue;
		int mine = p == g_child || is_gc(p);
		if (!mine && (ppid == g_child || pgrp == g_child) && p != g_self) {
			add_gc(p);
			mine = 1;
		}
		if (mine && busy && (st == 'R' || st == 'D'))
			*busy = 1;
	}
	closedir(d);
}

/* ------------------------------------------------------------- clean-up */

static void kill_all(void)
{
	if (g_child <= 0)
		return;
	/* From now on (the script is over) orphans of the child are
	 * reparented to us rather than to pid 1, so reap_all() collects them
	 * too and no zombie is left for init. */
	syscall(SYS_prctl, PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	syscall(SYS_kill, -g_child, SIGKILL);
	if (!is_reaped(g_child))
		syscall(SYS_kill, g_child, SIGKILL);
	for (int i = 0; i < g_ngc; i++)
		if (!is_reaped(g_gc[i]))
			syscall(SYS_kill, g_gc[i], SIGKILL);
	/* A tracee stopped at PTRACE_EVENT_EXIT after exit_group ignores
	 * SIGKILL (its group exit is already under way): let it go on.
	 * Errors (not traced, running, gone) are expected and ignored. */
	if (!is_reaped(g_child))
		syscall(SYS_ptrace, PTRACE_DETACH, g_child, 0, 0);
	for (int i = 0; i < g_ngc; i++)
		if (!is_reaped(g_gc[i]))
			syscall(SYS_ptrace, PTRACE_DETACH, g_gc[i], 0, 0);
}

static void reap_all(void)
{
	for (;;) {
		int st;
		long r = syscall(SYS_wait4, -1, &st, __WALL, NULL);
		if (r > 0) {
			/* A killed tracee with TRACEEXIT still stops at
			 * PTRACE_EVENT_EXIT: let it go and keep reaping. */
			if ((st & 0xff) == 0x7f)
				syscall(SYS_ptrace, PTRACE_DETACH, r, 0, 0);
			else
				mark_reaped((pid_t)r);
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		break; /* ECHILD */
	}
}

static volatile sig_atomic_t g_in_cleanup;

static void cleanup(void)
{
	if (g_child <= 0)
		return;
	g_in_cleanup = 1;
	alarm(5);
	scan_proc(NULL); /* learn any grandchild we have not seen yet */
	kill_all();
	reap_all();
	alarm(0);
	g_child = -1;
}

static void on_alarm(int sig)
{
	static const char m1[] = "ptsim-harness: timeout (10 s alarm), killing tracees\n";
	static const char m2[] = "ptsim-harness: clean-up timed out\n";
	(void)sig;
	if (g_in_cleanup) {
		ssize_t w = write(2, m2, sizeof m2 - 1);
		(void)w;
		_exit(3);
	}
	g_in_cleanup = 1;
	ssize_t w = write(2, m1, sizeof m1 - 1);
	(void)w;
	alarm(5);
	kill_all();
	reap_all();
	_exit(3);
}

/* ------------------------------------------------------------- tokens */

static const struct name_val {
	const char *name;
	uint64_t val;
} g_names[] = {
	/* signals */
	{"SIGHUP", 1}, {"SIGINT", 2}, {"SIGQUIT", 3}, {"SIGILL", 4},
	{"SIGTRAP", 5}, {"SIGABRT", 6}, {"SIGIOT", 6}, {"SIGBUS", 7},
	{"SIGFPE", 8}, {"SIGKILL", 9}, {"SIGUSR1", 10}, {"SIGSEGV", 11},
	{"SIGUSR2", 12}, {"SIGPIPE", 13}, {"SIGALRM", 14}, {"SIGTERM", 15},
	{"SIGSTKFLT", 16}, {"SIGCHLD", 17}, {"SIGCONT", 18}, {"SIGSTOP", 19},
	{"SIGTSTP", 20}, {"SIGTTIN", 21}, {"SIGTTOU", 22}, {"SIGURG", 23},
	{"SIGXCPU", 24}, {"SIGXFSZ", 25}, {"SIGVTALRM", 26}, {"SIGPROF", 27},
	{"SIGWINCH", 28}, {"SIGIO", 29}, {"SIGPOLL", 29}, {"SIGPWR", 30},
	{"SIGSYS", 31},
	/* PTRACE_O_* */
	{"TRACESYSGOOD", 0x1}, {"TRACEFORK", 0x2}, {"TRACEVFORK", 0x4},
	{"TRACECLONE", 0x8}, {"TRACEEXEC", 0x10}, {"TRACEVFORKDONE", 0x20},
	{"TRACEEXIT", 0x40}, {"TRACESECCOMP", 0x80}, {"EXITKILL", 0x100000},
	{"SUSPEND_SECCOMP", 0x200000},
	/* wait4 options */
	{"WNOHANG", 1}, {"WUNTRACED", 2}, {"WSTOPPED", 2}, {"WEXITED", 4},
	{"WCONTINUED", 8}, {"WNOWAIT", 0x01000000}, {"__WNOTHREAD", 0x20000000},
	{"__WALL", 0x40000000}, {"__WCLONE", 0x80000000},
	/* regsets */
	{"NT_PRSTATUS", 1}, {"NT_PRFPREG", 2}, {"NT_PRPSINFO", 3},
	{"NT_386_TLS", 0x200}, {"NT_386_IOPERM", 0x201}, {"NT_X86_XSTATE", 0x202},
	{NULL, 0},
};

static const struct name_val g_reqs[] = {
	{"TRACEME", 0}, {"PEEKTEXT", 1}, {"PEEKDATA", 2}, {"PEEKUSER", 3},
	{"PEEKUSR", 3}, {"POKETEXT", 4}, {"POKEDATA", 5}, {"POKEUSER", 6},
	{"POKEUSR", 6}, {"CONT", 7}, {"KILL", 8}, {"SINGLESTEP", 9},
	{"GETREGS", 12}, {"SETREGS", 13}, {"GETFPREGS", 14}, {"SETFPREGS", 15},
	{"ATTACH", 16}, {"DETACH", 17}, {"GETFPXREGS", 18}, {"SETFPXREGS", 19},
	{"OLDSETOPTIONS", 21}, {"SYSCALL", 24}, {"GET_THREAD_AREA", 25},
	{"SET_THREAD_AREA", 26}, {"ARCH_PRCTL", 30}, {"SYSEMU", 31},
	{"SYSEMU_SINGLESTEP", 32}, {"SINGLEBLOCK", 33},
	{"SETOPTIONS", 0x4200}, {"GETEVENTMSG", 0x4201}, {"GETSIGINFO", 0x4202},
	{"SETSIGINFO", 0x4203}, {"GETREGSET", 0x4204}, {"SETREGSET", 0x4205},
	{"SEIZE", 0x4206}, {"INTERRUPT", 0x4207}, {"LISTEN", 0x4208},
	{"PEEKSIGINFO", 0x4209}, {"GETSIGMASK", 0x420a}, {"SETSIGMASK", 0x420b},
	{"SECCOMP_GET_FILTER", 0x420c}, {"SECCOMP_GET_METADATA", 0x420d},
	{"GET_SYSCALL_INFO", 0x420e}, {"GET_RSEQ_CONFIGURATION", 0x420f},
	{NULL, 0},
};

static int lookup(const struct name_val *t, const char *s, uint64_t *v)
{
	for (; t->name; t++)
		if (!strcasecmp(t->name, s)) {
			*v = t->val;
			return 0;
		}
	return -1;
}

/* decimal or 0x hex, optional leading '-'; whole token. */
static int parse_num(const char *s, uint64_t *v)
{
	int neg = 0;
	if (*s == '-') {
		neg = 1;
		s++;
	} else if (*s == '+') {
		s++;
	}
	if (!isdigit((unsigned char)*s))
		return -1;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*v = neg ? (uint64_t)(-(int64_t)x) : (uint64_t)x;
	return 0;
}

enum vkind { V_NUM, V_BUF, V_BAD, V_IOV };

struct value {
	enum vkind kind;
	uint64_t num;   /* V_NUM: value; V_BUF: offset; V_IOV: length */
};

/* PAGE / RO / UNMAPPED with optional +N or -N */
static int parse_addr_token(const char *s, uint64_t *v)
{
	static const struct { const char *n; uint64_t a; } a[] = {
		{"PAGE", PAGE_ADDR}, {"RO", RO_ADDR}, {"UNMAPPED", UNMAPPED_ADDR},
	};
	for (size_t i = 0; i < sizeof a / sizeof a[0]; i++) {
		size_t l = strlen(a[i].n);
		if (strncasecmp(s, a[i].n, l))
			continue;
		if (s[l] == 0) {
			*v = a[i].a;
			return 0;
		}
		if (s[l] == '+' || s[l] == '-') {
			uint64_t off;
			if (parse_num(s + l + 1, &off))
				return -1;
			*v = s[l] == '+' ? a[i].a + off : a[i].a - off;
			return 0;
		}
	}
	return -1;
}

/* A plain value: number, name, address token; `|`-joined parts are ORed. */
static int parse_plain(const char *tok, uint64_t *out)
{
	char tmp[256];
	if (strlen(tok) >= sizeof tmp)
		return -1;
	strcpy(tmp, tok);
	uint64_t acc = 0;
	char *save = NULL;
	int nparts = 0;
	for (char *p = strtok_r(tmp, "|", &save); p; p = strtok_r(NULL, "|", &save)) {
		uint64_t v;
		if (parse_num(p, &v) && lookup(g_names, p, &v) && parse_addr_token(p, &v))
			return -1;
		acc |= v;
		nparts++;
	}
	if (!nparts)
		return -1;
	*out = acc;
	return 0;
}

static int parse_value(const char *tok, struct value *v)
{
	if (tok[0] == '@') {
		if (!strcasecmp(tok, "@bad")) {
			v->kind = V_BAD;
			v->num = 8;
			return 0;
		}
		if (!strncasecmp(tok, "@iov:", 5)) {
			v->kind = V_IOV;
			return parse_num(tok + 5, &v->num);
		}
		if (!strncasecmp(tok, "@buf", 4)) {
			v->kind = V_BUF;
			v->num = 0;
			if (tok[4] == 0)
				return 0;
			if (tok[4] != '+' || parse_num(tok + 5, &v->num) || v->num >= BUF_SIZE)
				return -1;
			return 0;
		}
		return -1;
	}
	v->kind = V_NUM;
	return parse_plain(tok, &v->num);
}

/* Resolve to the raw argument; sets up the iovec for @iov. */
static uint64_t value_arg(const struct value *v)
{
	switch (v->kind) {
	case V_NUM:
		return v->num;
	case V_BAD:
		return 8;
	case V_BUF:
		return (uint64_t)(uintptr_t)(g_buf + v->num);
	case V_IOV: {
		struct iovec *iov = (struct iovec *)(g_buf + 1024);
		iov->iov_base = g_buf + 2048;
		iov->iov_len = v->num;
		return (uint64_t)(uintptr_t)iov;
	}
	}
	return 0;
}

static int parse_sig(const char *s, int *sig)
{
	uint64_t v;
	if (parse_num(s, &v) && lookup(g_names, s, &v))
		return -1;
	*sig = (int)v;
	return 0;
}

/* ------------------------------------------------------------ targets */

enum tkind { T_CHILD, T_GRANDCHILD, T_SELF, T_INIT, T_NONEXISTENT, T_ANY, T_NUM };

struct target {
	enum tkind kind;
	long num;
};

static int parse_target(const char *s, struct target *t, int allow_any)
{
	static const struct { const char *n; enum tkind k; } m[] = {
		{"child", T_CHILD}, {"grandchild", T_GRANDCHILD}, {"self", T_SELF},
		{"init", T_INIT}, {"nonexistent", T_NONEXISTENT}, {"any", T_ANY},
	};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		if (!strcasecmp(s, m[i].n)) {
			if (m[i].k == T_ANY && !allow_any)
				return -1;
			t->kind = m[i].k;
			return 0;
		}
	uint64_t v;
	if (parse_num(s, &v))
		return -1;
	t->kind = T_NUM;
	t->num = (long)v;
	return 0;
}

static pid_t resolve_target(const struct target *t, int line)
{
	switch (t->kind) {
	case T_CHILD:
		return g_child;
	case T_GRANDCHILD:
		if (!g_ngc)
			scan_proc(NULL);
		if (!g_ngc)
			die_run(line, "pid=grandchild: no grandchild is known yet");
		return g_gc[0];
	case T_SELF:
		return g_self;
	case T_INIT:
		return 1;
	case T_NONEXISTENT:
		return g_nonexistent;
	case T_ANY:
		return -1;
	case T_NUM:
		return (pid_t)t->num;
	}
	return -1;
}

/* Name of a known pid, or NULL. */
static const char *pid_name(int64_t v)
{
	if (v <= 0 || v > INT_MAX)
		return NULL;
	if (v == g_child)
		return "child";
	if (v == g_self)
		return "self";
	if (is_gc((pid_t)v))
		return "grandchild";
	/* a grandchild we have not met yet (e.g. si_pid of SIGCHLD) */
	char st;
	pid_t pp, pg;
	if (g_child > 0 && !read_stat((pid_t)v, &st, &pp, &pg) && (pp == g_child || pg == g_child)) {
		add_gc((pid_t)v);
		return "grandchild";
	}
	return NULL;
}

/* ----------------------------------------------------- show= fields */

enum sclass { S_NONE, S_REGS, S_PEEK, S_SIGINFO, S_EVENTMSG, S_SYSINFO };

static const struct { const char *n; int off; } g_regs[] = {
	{"r15", 0}, {"r14", 8}, {"r13", 16}, {"r12", 24}, {"rbp", 32},
	{"rbx", 40}, {"r11", 48}, {"r10", 56}, {"r9", 64}, {"r8", 72},
	{"rax", 80}, {"rcx", 88}, {"rdx", 96}, {"rsi", 104}, {"rdi", 112},
	{"orig_rax", 120}, {"rip", 128}, {"cs", 136}, {"eflags", 144},
	{"rsp", 152}, {"ss", 160}, {"fs_base", 168}, {"gs_base", 176},
	{"ds", 184}, {"es", 192}, {"fs", 200}, {"gs", 208},
};

enum { SI_SIGNO, SI_ERRNO, SI_CODE, SI_ADDR, SI_PID, SI_STATUS, SI_UID };
static const char *const g_si_fields[] = {"signo", "errno", "code", "addr", "pid", "status", "uid", NULL};

enum { SC_OP, SC_ARCH, SC_IP, SC_SP, SC_NR, SC_ARGS, SC_RVAL, SC_ISERR };
static const char *const g_sc_fields[] = {"op", "arch", "instruction_pointer", "stack_pointer",
					  "nr", "args", "rval", "is_error", NULL};

/* struct ptrace_syscall_info (linux/ptrace.h), spelled out to avoid the
 * <sys/ptrace.h> vs <linux/ptrace.h> clash. */
struct sysinfo_buf {
	uint8_t op;
	uint8_t pad[3];
	uint32_t arch;
	uint64_t instruction_pointer;
	uint64_t stack_pointer;
	union {
		struct { uint64_t nr; uint64_t args[6]; } entry;
		struct { int64_t rval; uint8_t is_error; } exit;
	} u;
};

static enum sclass req_class(long req)
{
	switch (req) {
	case 12: return S_REGS;
	case 1: case 2: case 3: return S_PEEK;
	case 0x4202: return S_SIGINFO;
	case 0x4201: return S_EVENTMSG;
	case 0x420e: return S_SYSINFO;
	default: return S_NONE;
	}
}

static int find_field(const char *const *t, const char *s)
{
	for (int i = 0; t[i]; i++)
		if (!strcmp(t[i], s))
			return i;
	return -1;
}

/* ------------------------------------------------------------ ops */

enum opkind { O_PTRACE, O_WAIT, O_KILL, O_BUFSET, O_SETTLE };

struct op {
	int line;
	enum opkind kind;
	char req_text[64];
	long req;
	struct value addr, data;
	struct target pid;
	int nshow;
	int show[MAX_SHOW];
	long wopts;
	int sig;
};

static struct op g_ops[MAX_OPS];
static int g_nops;

/* ------------------------------------------------- child code emitter */

static void emit(int line, const void *p, size_t n)
{
	if (g_code_len + n > CODE_SIZE - 256)
		die_parse(line, "child program too long");
	memcpy(g_code + g_code_len, p, n);
	g_code_len += n;
}

static void emit_b(int line, unsigned b)
{
	unsigned char c = (unsigned char)b;
	emit(line, &c, 1);
}

/* movabs REG, imm64 (10 bytes); returns offset of the immediate. */
static size_t emit_movabs(int line, int reg, uint64_t imm)
{
	unsigned char b[10];
	b[0] = reg >= 8 ? 0x49 : 0x48;
	b[1] = (unsigned char)(0xb8 + (reg & 7));
	memcpy(b + 2, &imm, 8);
	emit(line, b, 10);
	return g_code_len - 8;
}

enum { RAX = 0, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

#define ARG_PID UINT64_C(0xfeedfacecafef00d) /* patched with the child's pid */

static void emit_syscall(int line, uint64_t nr, const uint64_t a[6])
{
	static const int regs[6] = {RDI, RSI, RDX, R10, R8, R9};
	for (int i = 0; i < 6; i++) {
		size_t off = emit_movabs(line, regs[i], a[i]);
		if (a[i] == ARG_PID) {
			if (g_npatch >= MAX_PATCH)
				die_parse(line, "too many raise/kill ops");
			g_patch[g_npatch++] = off;
		}
	}
	emit_movabs(line, RAX, nr);
	emit_b(line, 0x0f);
	emit_b(line, 0x05);
}

static void emit_prologue(void)
{
	emit_movabs(0, RSP, STACK_TOP);
	/* push $0x202; popfq  -> eflags = 0x202 */
	static const unsigned char pf[] = {0x68, 0x02, 0x02, 0x00, 0x00, 0x9d};
	emit(0, pf, sizeof pf);
	for (int r = RAX; r <= R15; r++)
		if (r != RSP)
			emit_movabs(0, r, 0);
}

static int need_args(char **t, int n, int min, int max, int line, const char *op)
{
	if (n - 2 < min || n - 2 > max)
		die_parse(line, "child %s: expected %d..%d arguments, got %d", op, min, max, n - 2);
	(void)t;
	return 0;
}

static uint64_t child_value(const char *tok, int line)
{
	uint64_t v;
	if (tok[0] == '@' || parse_plain(tok, &v))
		die_parse(line, "bad child argument '%s'", tok);
	return v;
}

static void parse_child(char **t, int n, int line)
{
	const char *op = t[1];
	uint64_t a[6] = {0, 0, 0, 0, 0, 0};
	if (!strcmp(op, "getpid") || !strcmp(op, "getppid") || !strcmp(op, "gettid") ||
	    !strcmp(op, "pause")) {
		need_args(t, n, 0, 0, line, op);
		uint64_t nr = !strcmp(op, "getpid") ? 39 : !strcmp(op, "getppid") ? 110
			    : !strcmp(op, "gettid") ? 186 : 34;
		emit_syscall(line, nr, a);
	} else if (!strcmp(op, "syscall")) {
		if (n < 3 || n > 9)
			die_parse(line, "child syscall: expected NR [A1..A6]");
		uint64_t nr = child_value(t[2], line);
		for (int i = 3; i < n; i++)
			a[i - 3] = child_value(t[i], line);
		emit_syscall(line, nr, a);
	} else if (!strcmp(op, "raise") || !strcmp(op, "kill")) {
		need_args(t, n, 1, 1, line, op);
		int sig;
		if (parse_sig(t[2], &sig))
			die_parse(line, "bad signal '%s'", t[2]);
		if (!strcmp(op, "raise")) {
			a[0] = ARG_PID;
			a[1] = ARG_PID;
			a[2] = (uint64_t)(int64_t)sig;
			emit_syscall(line, 234, a);
		} else {
			a[0] = ARG_PID;
			a[1] = (uint64_t)(int64_t)sig;
			emit_syscall(line, 62, a);
		}
	} else if (!strcmp(op, "store")) {
		need_args(t, n, 2, 2, line, op);
		emit_movabs(line, RAX, child_value(t[2], line));
		emit_movabs(line, RDX, child_value(t[3], line));
		static const unsigned char st[] = {0x48, 0x89, 0x10}; /* mov %rdx,(%rax) */
		emit(line, st, sizeof st);
	} else if (!strcmp(op, "load")) {
		need_args(t, n, 1, 1, line, op);
		emit_movabs(line, RAX, child_value(t[2], line));
		static const unsigned char ld[] = {0x48, 0x8b, 0x00}; /* mov (%rax),%rax */
		emit(line, ld, sizeof ld);
	} else if (!strcmp(op, "int3")) {
		need_args(t, n, 0, 0, line, op);
		emit_b(line, 0xcc);
	} else if (!strcmp(op, "spin")) {
		need_args(t, n, 1, 1, line, op);
		if (!strcmp(t[2], "forever")) {
			emit_b(line, 0xeb); /* jmp . */
			emit_b(line, 0xfe);
		} else {
			uint64_t cnt = child_value(t[2], line);
			if (cnt) {
				emit_movabs(line, RCX, cnt);
				/* 1: dec %rcx; jnz 1b */
				static const unsigned char lp[] = {0x48, 0xff, 0xc9, 0x75, 0xfb};
				emit(line, lp, sizeof lp);
			}
		}
	} else if (!strcmp(op, "fork")) {
		need_args(t, n, 1, 1, line, op);
		uint64_t code = child_value(t[2], line);
		emit_syscall(line, 57, a);
		/* test %rax,%rax; jnz over the exit_group op (72 bytes) */
		static const unsigned char tj[] = {0x48, 0x85, 0xc0, 0x75, 72};
		emit(line, tj, sizeof tj);
		a[0] = code;
		emit_syscall(line, 231, a);
	} else if (!strcmp(op, "exec")) {
		need_args(t, n, 0, 0, line, op);
		a[0] = DATA_PATH;
		a[1] = DATA_ARGV;
		a[2] = DATA_ENVP;
		emit_syscall(line, 59, a);
		g_uses_exec = 1;
	} else if (!strcmp(op, "ignore")) {
		need_args(t, n, 1, 1, line, op);
		int sig;
		if (parse_sig(t[2], &sig))
			die_parse(line, "bad signal '%s'", t[2]);
		a[0] = (uint64_t)(int64_t)sig;
		a[1] = DATA_SIGACT;
		a[2] = 0;
		a[3] = 8;
		emit_syscall(line, 13, a);
	} else if (!strcmp(op, "exit")) {
		need_args(t, n, 1, 1, line, op);
		a[0] = child_value(t[2], line);
		emit_syscall(line, 231, a);
	} else {
		die_parse(line, "unknown child op '%s'", op);
	}
}

/* ------------------------------------------------------------ parser */

static int tokenize(char *s, char **t, int max)
{
	int n = 0;
	char *h = strchr(s, '#');
	if (h)
		*h = 0;
	for (char *p = strtok(s, " \t\r\n"); p; p = strtok(NULL, " \t\r\n")) {
		if (n == max)
			return -1;
		t[n++] = p;
	}
	return n;
}

static int is_numeric_token(const char *s)
{
	return isdigit((unsigned char)s[0]) || s[0] == '-' || s[0] == '+';
}

static void parse_ptrace(struct op *o, char **t, int n, int line)
{
	if (n < 4)
		die_parse(line, "ptrace: expected REQ ADDR DATA");
	uint64_t r;
	if (is_numeric_token(t[1])) {
		if (parse_num(t[1], &r))
			die_parse(line, "bad request '%s'", t[1]);
		snprintf(o->req_text, sizeof o->req_text, "%s", t[1]);
	} else {
		if (lookup(g_reqs, t[1], &r))
			die_parse(line, "unknown request '%s'", t[1]);
		snprintf(o->req_text, sizeof o->req_text, "%s", t[1]);
		for (char *p = o->req_text; *p; p++)
			*p = (char)toupper((unsigned char)*p);
	}
	o->req = (long)r;
	if (parse_value(t[2], &o->addr))
		die_parse(line, "bad ADDR '%s'", t[2]);
	if (parse_value(t[3], &o->data))
		die_parse(line, "bad DATA '%s'", t[3]);
	o->pid.kind = T_CHILD;
	const char *show = NULL;
	for (int i = 4; i < n; i++) {
		if (!strncmp(t[i], "pid=", 4)) {
			if (parse_target(t[i] + 4, &o->pid, 0))
				die_parse(line, "bad target '%s'", t[i] + 4);
		} else if (!strncmp(t[i], "show=", 5)) {
			show = t[i] + 5;
		} else {
			die_parse(line, "unexpected token '%s'", t[i]);
		}
	}
	/* Safety: the tracer must not become a tracee, and must not stop the
	 * machine's real init. */
	if (o->req == 0)
		die_parse(line, "TRACEME as a tracer op would make the harness a tracee "
				"(use `child syscall 101` instead)");
	if ((o->req == 16 || o->req == 0x4206) && o->pid.kind == T_INIT)
		die_parse(line, "refusing to ATTACH/SEIZE pid 1 (the machine's real init)");
	if (show) {
		enum sclass c = req_class(o->req);
		if (c == S_NONE)
			die_parse(line, "show= is not supported for request %s", o->req_text);
		if (o->data.kind != V_BUF)
			die_parse(line, "show= needs DATA to be a tracer buffer (@buf…)");
		char tmp[512];
		snprintf(tmp, sizeof tmp, "%s", show);
		char *save = NULL;
		for (char *f = strtok_r(tmp, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
			int id = -1;
			if (o->nshow == MAX_SHOW)
				die_parse(line, "too many show fields");
			if (c == S_REGS) {
				for (size_t k = 0; k < sizeof g_regs / sizeof g_regs[0]; k++)
					if (!strcmp(g_regs[k].n, f))
						id = (int)k;
			} else if (c == S_PEEK || c == S_EVENTMSG) {
				id = strcmp(f, "value") ? -1 : 0;
			} else if (c == S_SIGINFO) {
				id = find_field(g_si_fields, f);
			} else if (c == S_SYSINFO) {
				id = find_field(g_sc_fields, f);
			}
			if (id < 0)
				die_parse(line, "unknown show field '%s' for %s", f, o->req_text);
			o->show[o->nshow++] = id;
		}
	}
}

static void parse_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "ptsim-harness: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	char line[4096];
	int lineno = 0, have_setup = 0, in_tracer = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f))
			die_parse(lineno, "line too long");
		char *t[64];
		int n = tokenize(line, t, 64);
		if (n < 0)
			die_parse(lineno, "too many tokens");
		if (n == 0)
			continue;
		if (!have_setup) {
			if (strcmp(t[0], "setup") || n != 2 ||
			    (strcmp(t[1], "traceme") && strcmp(t[1], "plain")))
				die_parse(lineno, "expected 'setup traceme|plain' as the first line");
			g_traceme = !strcmp(t[1], "traceme");
			have_setup = 1;
			emit_prologue();
			continue;
		}
		if (!strcmp(t[0], "setup"))
			die_parse(lineno, "duplicate setup");
		if (!strcmp(t[0], "child")) {
			if (in_tracer)
				die_parse(lineno, "child ops must come before tracer operations");
			if (n < 2)
				die_parse(lineno, "child: missing op");
			parse_child(t, n, lineno);
			continue;
		}
		in_tracer = 1;
		if (g_nops == MAX_OPS)
			die_parse(lineno, "too many operations");
		struct op *o = &g_ops[g_nops];
		memset(o, 0, sizeof *o);
		o->line = lineno;
		if (!strcmp(t[0], "ptrace")) {
			o->kind = O_PTRACE;
			parse_ptrace(o, t, n, lineno);
		} else if (!strcmp(t[0], "wait")) {
			o->kind = O_WAIT;
			o->pid.kind = T_CHILD;
			for (int i = 1; i < n; i++) {
				if (!strncmp(t[i], "pid=", 4)) {
					if (parse_target(t[i] + 4, &o->pid, 1))
						die_parse(lineno, "bad target '%s'", t[i] + 4);
				} else if (!strcmp(t[i], "any")) {
					o->pid.kind = T_ANY;
				} else {
					uint64_t v;
					if (t[i][0] == '@' || parse_plain(t[i], &v))
						die_parse(lineno, "bad wait options '%s'", t[i]);
					o->wopts = (long)v;
				}
			}
		} else if (!strcmp(t[0], "kill")) {
			o->kind = O_KILL;
			o->pid.kind = T_CHILD;
			if (n < 2 || n > 3)
				die_parse(lineno, "kill: expected SIG [pid=T]");
			if (parse_sig(t[1], &o->sig))
				die_parse(lineno, "bad signal '%s'", t[1]);
			if (n == 3) {
				if (strncmp(t[2], "pid=", 4) || parse_target(t[2] + 4, &o->pid, 0))
					die_parse(lineno, "bad target '%s'", t[2]);
			}
			if (o->sig != 0 && (o->pid.kind == T_INIT || o->pid.kind == T_SELF))
				die_parse(lineno, "refusing to signal %s (only signal 0 is allowed)",
					  o->pid.kind == T_INIT ? "init" : "the harness itself");
		} else if (!strcmp(t[0], "bufset")) {
			o->kind = O_BUFSET;
			if (n != 3)
				die_parse(lineno, "bufset: expected ADDR VALUE");
			if (parse_value(t[1], &o->addr) || o->addr.kind != V_BUF)
				die_parse(lineno, "bufset: ADDR must be @buf or @buf+N");
			uint64_t v;
			if (t[2][0] == '@' || parse_plain(t[2], &v))
				die_parse(lineno, "bufset: bad VALUE '%s'", t[2]);
			o->data.kind = V_NUM;
			o->data.num = v;
		} else if (!strcmp(t[0], "settle")) {
			o->kind = O_SETTLE;
			if (n != 1)
				die_parse(lineno, "settle takes no arguments");
		} else {
			die_parse(lineno, "unknown operation '%s'", t[0]);
		}
		g_nops++;
	}
	fclose(f);
	if (!have_setup)
		die_parse(lineno ? lineno : 1, "missing 'setup traceme|plain'");
	/* after the last op the child calls exit_group(0) */
	uint64_t a[6] = {0, 0, 0, 0, 0, 0};
	emit_syscall(lineno, 231, a);
	/* only reached if that exit_group was skipped (SYSEMU): ud2 -> SIGILL */
	emit_b(lineno, 0x0f);
	emit_b(lineno, 0x0b);
}

/* ------------------------------------------------------------ output */

static void put_hex(const char *key, uint64_t v, int names)
{
	const char *n = names ? pid_name((int64_t)v) : NULL;
	if (n)
		printf(",\"%s\":\"%s\"", key, n);
	else
		printf(",\"%s\":\"0x%" PRIx64 "\"", key, v);
}

static void put_errno(long ret, int e)
{
	if (ret < 0)
		printf(",\"errno\":\"%s\"", errname(e));
	else
		printf(",\"errno\":null");
}

static void show_fields(const struct op *o, long ret)
{
	if (ret < 0 || !o->nshow)
		return;
	const unsigned char *p = g_buf + o->data.num;
	enum sclass c = req_class(o->req);
	for (int i = 0; i < o->nshow; i++) {
		int id = o->show[i];
		if (c == S_REGS) {
			uint64_t v;
			memcpy(&v, p + g_regs[id].off, 8);
			put_hex(g_regs[id].n, v, 1);
		} else if (c == S_PEEK || c == S_EVENTMSG) {
			uint64_t v;
			memcpy(&v, p, 8);
			put_hex("value", v, 1);
		} else if (c == S_SIGINFO) {
			siginfo_t si;
			memcpy(&si, p, sizeof si);
			switch (id) {
			case SI_SIGNO: printf(",\"signo\":%d", si.si_signo); break;
			case SI_ERRNO: printf(",\"si_errno\":%d", si.si_errno); break;
			case SI_CODE: printf(",\"code\":%d", si.si_code); break;
			case SI_ADDR: put_hex("addr", (uint64_t)(uintptr_t)si.si_addr, 0); break;
			case SI_PID: {
				const char *n = pid_name(si.si_pid);
				if (n)
					printf(",\"pid\":\"%s\"", n);
				else
					printf(",\"pid\":%d", (int)si.si_pid);
				break;
			}
			case SI_STATUS: printf(",\"status\":%d", si.si_status); break;
			case SI_UID: printf(",\"uid\":%d", (int)si.si_uid); break;
			}
		} else if (c == S_SYSINFO) {
			/* A field that does not lie entirely inside the bytes the
			 * kernel wrote is printed as null. */
			static const int end[] = {1, 8, 16, 24, 32, 80, 32, 33};
			static const char *const key[] = {"sc_op", "arch", "instruction_pointer",
							  "stack_pointer", "nr", "args", "rval",
							  "is_error"};
			struct sysinfo_buf s;
			memcpy(&s, p, sizeof s);
			/* the kernel copies min(ret, ADDR) bytes */
			long written = ret;
			if (o->addr.kind == V_NUM && (uint64_t)written > o->addr.num)
				written = (long)o->addr.num;
			if (written < end[id]) {
				printf(",\"%s\":null", key[id]);
				continue;
			}
			switch (id) {
			case SC_OP: printf(",\"sc_op\":%u", s.op); break;
			case SC_ARCH: put_hex("arch", s.arch, 0); break;
			case SC_IP: put_hex("instruction_pointer", s.instruction_pointer, 0); break;
			case SC_SP: put_hex("stack_pointer", s.stack_pointer, 0); break;
			case SC_NR: printf(",\"nr\":%" PRId64, (int64_t)s.u.entry.nr); break;
			case SC_ARGS:
				printf(",\"args\":[");
				for (int k = 0; k < 6; k++) {
					const char *n = pid_name((int64_t)s.u.entry.args[k]);
					if (n)
						printf("%s\"%s\"", k ? "," : "", n);
					else
						printf("%s\"0x%" PRIx64 "\"", k ? "," : "", s.u.entry.args[k]);
				}
				printf("]");
				break;
			case SC_RVAL: put_hex("rval", (uint64_t)s.u.exit.rval, 1); break;
			case SC_ISERR: printf(",\"is_error\":%u", s.u.exit.is_error); break;
			}
		}
	}
}

/* ------------------------------------------------------------ run */

static void do_settle(void)
{
	struct timespec t0, now, d = {0, 1000000};
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int quiet = 0;
	for (;;) {
		int busy;
		scan_proc(&busy);
		/* Two quiet scans in a row: a process forked during a scan whose pid is
		 * lower than the scan's position (pids wrap) is only seen by the next one. */
		if (!busy && ++quiet >= 2)
			return;
		if (busy)
			quiet = 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long ms = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (ms >= 2000)
			return;
		nanosleep(&d, NULL);
	}
}

static void wait_child_traced(void)
{
	struct timespec t0, now, d = {0, 200000};
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		char st;
		pid_t pp, pg;
		if (read_stat(g_child, &st, &pp, &pg))
			die_run(0, "child vanished before its SIGSTOP stop");
		if (st == 't')
			return;
		if (st == 'Z' || st == 'X')
			die_run(0, "child died before its SIGSTOP stop (is the harness itself traced?)");
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000 >= 2000)
			die_run(0, "child did not reach its SIGSTOP stop within 2 s");
		nanosleep(&d, NULL);
	}
}

static void run_op(const struct op *o)
{
	switch (o->kind) {
	case O_PTRACE: {
		pid_t pid = resolve_target(&o->pid, o->line);
		uint64_t addr = value_arg(&o->addr);
		uint64_t data = value_arg(&o->data);
		errno = 0;
		long ret = syscall(SYS_ptrace, o->req, (long)pid, addr, data);
		int e = errno;
		printf("{\"line\":%d,\"op\":\"ptrace\",\"req\":\"%s\",\"ret\":%ld", o->line,
		       o->req_text, ret);
		put_errno(ret, e);
		const struct value *iv = o->addr.kind == V_IOV ? &o->addr
				       : o->data.kind == V_IOV ? &o->data : NULL;
		if (iv) {
			struct iovec *iov = (struct iovec *)(g_buf + 1024);
			printf(",\"iov_len\":%zu", iov->iov_len);
		}
		show_fields(o, ret);
		printf("}\n");
		/* a fork/clone event message names the new pid: remember it */
		if (ret >= 0 && o->req == 0x4201 && o->data.kind == V_BUF) {
			uint64_t v;
			memcpy(&v, g_buf + o->data.num, 8);
			char st;
			pid_t pp, pg;
			if (v > 0 && v <= INT_MAX && (pid_t)v != g_child &&
			    !read_stat((pid_t)v, &st, &pp, &pg) && (pp == g_child || pg == g_child))
				add_gc((pid_t)v);
		}
		break;
	}
	case O_WAIT: {
		pid_t pid = resolve_target(&o->pid, o->line);
		int status = 0;
		errno = 0;
		long ret = syscall(SYS_wait4, (long)pid, &status, (int)(unsigned)o->wopts, NULL);
		int e = errno;
		if (ret > 0) {
			add_gc((pid_t)ret); /* the only other pids we can see */
			if ((status & 0x7f) != 0x7f && status != 0xffff) /* exited/killed */
				mark_reaped((pid_t)ret);
		}
		printf("{\"line\":%d,\"op\":\"wait\"", o->line);
		const char *n = ret > 0 ? pid_name(ret) : NULL;
		if (n)
			printf(",\"ret\":\"%s\"", n);
		else
			printf(",\"ret\":%ld", ret);
		put_errno(ret, e);
		if (ret > 0)
			printf(",\"status\":\"0x%x\"", (unsigned)status);
		printf("}\n");
		break;
	}
	case O_KILL: {
		pid_t pid = resolve_target(&o->pid, o->line);
		errno = 0;
		long ret = syscall(SYS_kill, (long)pid, o->sig);
		int e = errno;
		printf("{\"line\":%d,\"op\":\"kill\",\"ret\":%ld", o->line, ret);
		put_errno(ret, e);
		printf("}\n");
		break;
	}
	case O_BUFSET:
		memcpy(g_buf + o->addr.num, &o->data.num, 8);
		break;
	case O_SETTLE:
		do_settle();
		break;
	}
	fflush(stdout);
}

/* ------------------------------------------------------ child side */

static inline long rsys(long n, long a, long b, long c, long d)
{
	long ret;
	register long r10 __asm__("r10") = d;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

/* Runs after fork in the child: raw syscalls only, no libc, no stdio. */
static void __attribute__((noreturn)) child_main(void)
{
	rsys(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0);
	if (rsys(SYS_getppid, 0, 0, 0, 0) != g_self)
		rsys(SYS_exit_group, 127, 0, 0, 0);
	rsys(SYS_setpgid, 0, 0, 0, 0);
	long pid = rsys(SYS_getpid, 0, 0, 0, 0);
	uint64_t p64 = (uint64_t)pid;
	for (int i = 0; i < g_npatch; i++)
		__builtin_memcpy((unsigned char *)CODE_ADDR + g_patch[i], &p64, 8);
	if (g_traceme) {
		rsys(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0);
		long tid = rsys(SYS_gettid, 0, 0, 0, 0);
		rsys(SYS_tgkill, pid, tid, SIGSTOP, 0);
	}
	__asm__ volatile("jmp *%0" : : "r"(CODE_ADDR));
	__builtin_unreachable();
}

/* ------------------------------------------------------------ setup */

static void *map_fixed(uint64_t addr, size_t len, int prot)
{
	void *p = mmap((void *)(uintptr_t)addr, len, prot,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED || p != (void *)(uintptr_t)addr)
		die_run(0, "mmap(%#" PRIx64 "): %s", addr, p == MAP_FAILED ? strerror(errno)
								 : "kernel ignored the address");
	return p;
}

static void setup_memory(void)
{
	unsigned char *page = map_fixed(PAGE_ADDR, 4096, PROT_READ | PROT_WRITE);
	for (int j = 0; j < 4096; j++)
		page[j] = (unsigned char)((j * 7 + 1) & 0xff);
	unsigned char *ro = map_fixed(RO_ADDR, 4096, PROT_READ | PROT_WRITE);
	memset(ro, 0xa5, 4096);
	if (mprotect(ro, 4096, PROT_READ))
		die_run(0, "mprotect RO: %s", strerror(errno));
	munmap((void *)UNMAPPED_ADDR, 4096);
	unsigned char *code = map_fixed(CODE_ADDR, CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC);
	memcpy(code, g_code, g_code_len);
	unsigned char *data = map_fixed(DATA_ADDR, DATA_SIZE, PROT_READ | PROT_WRITE);
	uint64_t argv[2] = {DATA_PATH, 0};
	memcpy(data + (DATA_ARGV - DATA_ADDR), argv, sizeof argv);
	/* DATA_ENVP {NULL} and DATA_SIGACT {SIG_IGN=1, flags 0, restorer 0, mask 0} */
	uint64_t sa[4] = {1, 0, 0, 0};
	memcpy(data + (DATA_SIGACT - DATA_ADDR), sa, sizeof sa);
	memcpy(data + (DATA_PATH - DATA_ADDR), g_exit0_path, strlen(g_exit0_path) + 1);
	map_fixed(STACK_ADDR, STACK_SIZE, PROT_READ | PROT_WRITE);
}

static void find_exit0(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		die_run(0, "readlink /proc/self/exe: %s", strerror(errno));
	exe[n] = 0;
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = 0;
	static const char base[] = "/ptsim-exit0";
	size_t l = strlen(exe);
	if (l + sizeof base > DATA_SIZE - (DATA_PATH - DATA_ADDR))
		die_run(0, "path of ptsim-exit0 too long");
	memcpy(g_exit0_path, exe, l);
	memcpy(g_exit0_path + l, base, sizeof base);
	if (g_uses_exec && access(g_exit0_path, X_OK))
		die_run(0, "%s: %s (the `exec` op needs it; run scripts/build-harness.sh)",
			g_exit0_path, strerror(errno));
}

static pid_t find_nonexistent(void)
{
	long max = 32768;
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
	if (f) {
		if (fscanf(f, "%ld", &max) != 1)
			max = 32768;
		fclose(f);
	}
	for (long p = max - 1; p > 1; p--)
		if (syscall(SYS_kill, p, 0) < 0 && errno == ESRCH)
			return (pid_t)p;
	return (pid_t)(max - 1);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ptsim-harness SCRIPT\n"
		"       ptsim-harness --help\n"
		"\n"
		"Runs a ptsim conformance script (docs/script-format.md) against the real\n"
		"kernel: forks the child described by the `child` lines, performs the tracer\n"
		"operations and prints one JSON object per operation on stdout.\n"
		"\n"
		"Needs ptrace permission over its own children.  The `exec` child op runs\n"
		"ptsim-exit0 from the directory of this binary.\n"
		"\n"
		"exit status: 0 ok, 1 run-time error, 2 script parse error, 3 timeout (10 s)\n");
}

int main(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-') {
		usage(stderr);
		return 2;
	}
	g_script = argv[1];
	parse_file(g_script);

	g_self = getpid();
	find_exit0();
	g_nonexistent = find_nonexistent();
	struct rlimit rl = {0, 0};
	setrlimit(RLIMIT_CORE, &rl); /* SIGSEGV kills must not dump core (0x8b) */
	setup_memory();
	fflush(stdout);
	fflush(stderr);

	/* raw fork: no glibc atfork handlers or child-side bookkeeping; the
	 * child never returns into glibc anyway */
	pid_t pid = (pid_t)syscall(SYS_fork);
	if (pid < 0)
		die_run(0, "fork: %s", strerror(errno));
	if (pid == 0)
		child_main();
	g_child = pid;
	setpgid(pid, pid); /* also done by the child; whoever is first wins */

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm(10);

	/* setup traceme: start the tracer operations only once the child sits
	 * in its SIGSTOP delivery stop (state 't'), so that the first op never
	 * races with the child's TRACEME.  The stop is not consumed. */
	if (g_traceme)
		wait_child_traced();

	for (int i = 0; i < g_nops; i++)
		run_op(&g_ops[i]);

	alarm(0);
	fflush(stdout);
	cleanup();
	return 0;
}
