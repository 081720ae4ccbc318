/*
 * boot-probe.c - a static guest init that only reports on the boot, for
 * scripts/uml-capture.sh --init (see uml/README.md "Boot: usermode helpers").
 *
 * Prints one line "BOOT uevent_seqnum=N hotplug=PATH modprobe=PATH threads-max=N" (read from
 * sysfs/procfs, which it mounts), then, each bracketed by MARK writes so that
 * uml/split-log.py can cut them out of the host log:
 *   uevent=N   N x write("add") to /sys/devices/virtual/mem/null/uevent
 *              (kobject_uevent → the uevent helper, CONFIG_UEVENT_HELPER_PATH)
 *   nohelper=1 first write "" to /proc/sys/kernel/hotplug, then the same N
 *   modreq=N   N x socket(AF_NFC) (__sock_create → request_module("net-pf-39")
 *              → /sbin/modprobe), then reboot(RB_POWER_OFF).
 * Arguments come from the kernel command line after "--".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static void say(const char *s) { write(1, s, strlen(s)); }

static void readline(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY);
	ssize_t r = fd < 0 ? -1 : read(fd, buf, n - 1);
	if (fd >= 0) close(fd);
	if (r < 0) r = 0;
	buf[r] = 0;
	char *nl = strchr(buf, '\n');
	if (nl) *nl = 0;
}

static long arg(int argc, char **argv, const char *key)
{
	size_t k = strlen(key);
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], key, k) && argv[i][k] == '=') return atol(argv[i] + k + 1);
	return 0;
}

static void uevents(long n)
{
	for (long i = 0; i < n; i++) {
		int fd = open("/sys/devices/virtual/mem/null/uevent", O_WRONLY);
		if (fd >= 0) { write(fd, "add", 3); close(fd); }
	}
}

int main(int argc, char **argv)
{
	char seq[64], hp[256], mp[256], tm[64], line[800];
	mount("proc", "/proc", "proc", 0, 0);
	mkdir("/sys", 0755);
	mount("sysfs", "/sys", "sysfs", 0, 0);
	readline("/sys/kernel/uevent_seqnum", seq, sizeof seq);
	readline("/proc/sys/kernel/hotplug", hp, sizeof hp);
	readline("/proc/sys/kernel/modprobe", mp, sizeof mp);
	readline("/proc/sys/kernel/threads-max", tm, sizeof tm);
	snprintf(line, sizeof line, "BOOT uevent_seqnum=%s hotplug=%s modprobe=%s threads-max=%s\n", seq, hp, mp, tm);
	say(line);
	long n = arg(argc, argv, "uevent");
	if (n) { say("MARK uevent-begin\n"); uevents(n); say("MARK uevent-end\n"); }
	if (arg(argc, argv, "nohelper")) {
		int fd = open("/proc/sys/kernel/hotplug", O_WRONLY);
		if (fd >= 0) { write(fd, "\n", 1); close(fd); }
		say("MARK nohelper-begin\n"); uevents(n ? n : 1); say("MARK nohelper-end\n");
	}
	n = arg(argc, argv, "modreq");
	if (n) {
		say("MARK modreq-begin\n");
		for (long i = 0; i < n; i++) { int s = socket(39, SOCK_STREAM, 0); if (s >= 0) close(s); }
		say("MARK modreq-end\n");
	}
	readline("/sys/kernel/uevent_seqnum", seq, sizeof seq);
	snprintf(line, sizeof line, "END uevent_seqnum=%s\n", seq);
	say(line);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
