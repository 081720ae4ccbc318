/*
 * subreaper.c - run a command so that nothing it starts outlives it.
 *
 *   subreaper CMD [ARGS...]
 *
 * Becomes a child subreaper (PR_SET_CHILD_SUBREAPER), runs CMD in a new
 * session (setsid) as its child, and waits for it.  When CMD has exited,
 * every process that was re-parented to us (e.g. UML's host processes for
 * guest address spaces, which outlive a panicking linux.uml) is sent
 * SIGKILL by pid and reaped, so no process and no zombie is left behind.
 * SIGINT/SIGTERM/SIGHUP to us are passed on to CMD's process group.
 * The exit status is CMD's (128+N if it was killed by signal N).
 *
 * It stays outside CMD's session on purpose: a panicking UML does
 * kill(0, SIGTERM) on its whole process group.
 *
 *   cc -O2 -o subreaper subreaper.c
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t child;

static void forward(int sig)
{
	if (child > 0)
		kill(-child, sig); /* child is its own session/group leader */
}

/* SIGKILL every process whose parent is us; returns how many were found */
static int kill_children(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;
	pid_t self = getpid();

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[64], buf[256];
		pid_t pid = (pid_t)atoi(e->d_name);
		if (pid <= 0)
			continue;
		snprintf(path, sizeof path, "/proc/%d/stat", pid);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		size_t len = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		buf[len] = 0;
		char *p = strrchr(buf, ')'); /* "pid (comm) S ppid ..." */
		char state;
		int ppid;
		if (p && sscanf(p + 1, " %c %d", &state, &ppid) == 2 && ppid == self) {
			n++;
			if (state != 'Z')
				kill(pid, SIGKILL);
		}
	}
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	int status = 0, rc;

	if (argc < 2) {
		fprintf(stderr, "usage: subreaper CMD [ARGS...]\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
		perror("subreaper: PR_SET_CHILD_SUBREAPER");

	child = fork();
	if (child < 0) {
		perror("subreaper: fork");
		return 2;
	}
	if (child == 0) {
		setsid();
		execvp(argv[1], argv + 1);
		perror("subreaper: exec");
		_exit(127);
	}
	struct sigaction sa = { 0 };
	sa.sa_handler = forward;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	for (;;) {
		pid_t w = waitpid(child, &status, 0);
		if (w == child)
			break;
		if (w < 0 && errno != EINTR) {
			perror("subreaper: waitpid");
			break;
		}
	}
	rc = WIFEXITED(status) ? WEXITSTATUS(status)
	   : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
	child = 0;

	/* kill and reap whatever was left below us (bounded: ~10 s) */
	for (int round = 0; round < 200; round++) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (kill_children() == 0)
			break;
		usleep(50000);
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	return rc;
}
