/*
 * bg-spin.c - a static guest init with a background task, for
 * scripts/uml-capture.sh --init (uml/README.md "Tick with a background task").
 * fork()s a child that spins forever (always runnable), spins warm=ITERS
 * iterations itself (default 30 M: the child's first run and its page faults
 * happen here, unmarked), then runs "MARK spin-begin", spin=ITERS iterations of a register loop, "MARK spin-end"
 * (so every timer tick in the segment finds two runnable tasks and the guest
 * scheduler switches), kills and reaps the child, and powers off.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

static void say(const char *s) { write(1, s, strlen(s)); }

int main(int argc, char **argv)
{
	long iters = 100000000, warm = 30000000;
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "spin=", 5)) iters = atol(argv[i] + 5);
		if (!strncmp(argv[i], "warm=", 5)) warm = atol(argv[i] + 5);
	}
	pid_t child = fork();
	if (child == 0)
		for (;;) __asm__ volatile("" ::: "memory");
	for (volatile long i = 0; i < warm; i++) {}
	say("MARK spin-begin\n");
	for (volatile long i = 0; i < iters; i++) {}
	say("MARK spin-end\n");
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	reboot(RB_POWER_OFF);
	return 0;
}
