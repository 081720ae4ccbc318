/*
 * child.c - tiny static program that the guest init execve()s in the
 * fork+exec phase.  No libc: _start writes one line and exits, so the
 * exec'd image is small (a couple of pages) and the host trace of the
 * exec is as short as it can be.
 *
 *   cc -static -nostdlib -O2 -o exec-child child.c
 */
static long sys3(long nr, long a, long b, long c)
{
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

void _start(void)
{
	static const char msg[] = "exec-child: hello\n";
	sys3(1 /* write */, 1, (long)msg, sizeof msg - 1);
	sys3(60 /* exit */, 0, 0, 0);
	for (;;)
		;
}
