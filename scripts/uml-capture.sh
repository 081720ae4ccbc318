#!/usr/bin/env bash
# Boot the REAL User-Mode Linux (Debian's linux.uml) with a static guest init
# from uml/guest/ and record the host side: the ptrace/wait4 calls that the
# UML kernel process makes, as printed by plain `strace` (no -f: UML cannot
# run under strace -f).  See uml/README.md.
#
# Installs nothing.  Needs linux.uml, strace (for trace runs), cc + static libc.
# Everything it builds or boots lives in a temp dir that is removed on exit.
set -euo pipefail

usage() {
	cat <<'EOF'
usage: scripts/uml-capture.sh [options] [-- INIT-ARGS...]

Boots linux.uml with a static guest init (uml/guest/init.c) on a hostfs root
made in a temp dir, under `strace -o OUT -e trace=SET linux.uml ...`.

options:
  -o, --out FILE       strace log to write (default build/uml/uml.strace);
                       the console (guest stdout) goes to FILE.console and
                       UML's stderr (start-up probes) to FILE.stderr
  --variant trace|timed
                       trace (default): phases bracketed by "MARK name-begin/
                       end" writes; timed: measures getpid / first-touch page
                       fault / fork+exit+wait / fork+exec+wait with
                       clock_gettime inside the guest (and a 64-byte console
                       write), prints a JSON line, and
                       runs WITHOUT strace (use --json to collect it)
  --json FILE          (timed) write the guest's JSON plus host kernel, CPU
                       model and UML version to FILE
  --trace SET          strace -e trace=SET (default ptrace,wait4,write)
  --no-strace          boot without strace (implied by --variant timed)
  --nosysemu           add the `nosysemu` boot switch
  --sysemu0            guest writes "0" to /proc/sysemu at the end (the 6.1
                       guest is expected to panic: see uml/README.md)
  --mem SIZE           guest memory (default 64M)
  --cpus LIST          pin linux.uml and its host processes to host CPUs
                       LIST (taskset -c LIST); default: not pinned
  --timeout SECS       kill everything after SECS (default 120)
  --keep               keep the temp dir (printed) for inspection
  --init PROGRAM       use your own STATIC program as the guest init instead of
                       uml/guest/init.c (its argv comes from INIT-ARGS); then
                       analyse the log with: ptsim whatif OUT --policy full
  -h, --help           this text

INIT-ARGS after `--` are passed to the guest init (kernel command line after
"--"), e.g.  -- getpid=2 pages=2 tick=15000000 spin=100000000 fork=1 exec=1
phases=getpid,fault,tick,spin,fork,exec warmup=1   (trace variant)
             -- reps=1000 exec_reps=100 batch=10000  (timed variant)

examples:
  scripts/uml-capture.sh -o build/uml/run.strace
  scripts/uml-capture.sh --nosysemu -o build/uml/nosysemu.strace -- phases=getpid
  scripts/uml-capture.sh --variant timed --json build/uml/timed.json
EOF
}

die() { echo "uml-capture.sh: $*" >&2; exit 2; }

cd "$(dirname "$0")/.."
repo=$(pwd)

out=build/uml/uml.strace
variant=trace
json=
traceset=ptrace,wait4,write
use_strace=1
nosysemu=0
sysemu0=0
mem=64M
cpus=
tmo=120
keep=0
user_init=
init_args=()

while [ $# -gt 0 ]; do
	case "$1" in
	-o | --out) out=${2:?}; shift 2 ;;
	--variant) variant=${2:?}; shift 2 ;;
	--json) json=${2:?}; shift 2 ;;
	--trace) traceset=${2:?}; shift 2 ;;
	--no-strace) use_strace=0; shift ;;
	--nosysemu) nosysemu=1; shift ;;
	--sysemu0) sysemu0=1; shift ;;
	--mem) mem=${2:?}; shift 2 ;;
	--cpus) cpus=${2:?}; shift 2 ;;
	--timeout) tmo=${2:?}; shift 2 ;;
	--keep) keep=1; shift ;;
	--init) user_init=${2:?}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	--) shift; init_args=("$@"); break ;;
	*) usage >&2; die "unknown option: $1" ;;
	esac
done

case "$variant" in
trace) ;;
timed) use_strace=0 ;;
*) die "--variant must be trace or timed" ;;
esac
[[ "$tmo" =~ ^[0-9]+$ ]] || die "--timeout needs a number of seconds"

uml=$(command -v linux.uml || true)
if [ -z "$uml" ]; then
	echo "uml-capture.sh: linux.uml not found. Install it with:" >&2
	echo "  apt-get update && apt-get install -y user-mode-linux" >&2
	exit 3
fi
if [ "$use_strace" = 1 ] && ! command -v strace >/dev/null; then
	echo "uml-capture.sh: strace not found: apt-get install -y strace" >&2
	exit 3
fi
command -v cc >/dev/null || die "no C compiler (cc)"

mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
if [ -n "$json" ]; then
	mkdir -p "$(dirname "$json")"
	json=$(cd "$(dirname "$json")" && pwd)/$(basename "$json")
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/uml-capture.XXXXXX")
runner=
cleanup() {
	# the subreaper passes TERM on to the boot's process group, then kills
	# and reaps everything left below it (by pid)
	if [ -n "$runner" ]; then
		kill -TERM "$runner" 2>/dev/null || true
		wait "$runner" 2>/dev/null || true
	fi
	if [ "$keep" = 1 ]; then
		echo "uml-capture.sh: kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- guest: static init + tiny exec target on a hostfs root -----------------
root=$tmp/root
mkdir -p "$root/proc" "$root/dev" "$root/tmp" "$tmp/run"
cflags=(-static -O2 -Wall)
[ "$variant" = timed ] && cflags+=(-DTIMED)
if [ -n "$user_init" ]; then
	# The user's own static program is the guest init: analyse any workload this way.
	[ -f "$user_init" ] || die "--init: $user_init is not a file"
	file "$user_init" 2>/dev/null | grep -q 'statically linked' || echo "uml-capture.sh: warning: $user_init does not look statically linked; the hostfs root has no libraries" >&2
	cp "$user_init" "$root/init"
	chmod +x "$root/init"
else
	cc "${cflags[@]}" -o "$root/init" uml/guest/init.c
fi
cc -static -nostdlib -O2 -Wall -o "$root/exec-child" uml/guest/child.c
cc -O2 -Wall -o "$tmp/subreaper" uml/host/subreaper.c

# a default workload when none is given
if [ "${#init_args[@]}" -eq 0 ] && [ -z "$user_init" ]; then
	if [ "$variant" = timed ]; then
		init_args=(reps=1000)
	else
		init_args=(getpid=2 pages=2 fork=1 exec=1)
	fi
fi
[ "$sysemu0" = 1 ] && init_args+=(sysemu0=1)

boot=(mem="$mem" root=/dev/root rootfstype=hostfs rootflags="$root" rw
	init=/init con=null con0=fd:0,fd:1 umid="ptsim-$$" uml_dir="$tmp/run")
[ "$nosysemu" = 1 ] && boot+=(nosysemu)
boot+=(-- "${init_args[@]}")

cmd=("$uml" "${boot[@]}")
if [ -n "$cpus" ]; then
	command -v taskset >/dev/null || die "--cpus needs taskset (util-linux)"
	cmd=(taskset -c "$cpus" "${cmd[@]}")
fi
if [ "$use_strace" = 1 ]; then
	cmd=(strace -o "$out" -e trace="$traceset" "${cmd[@]}")
fi

echo "uml-capture.sh: ${cmd[*]}" >&2
# subreaper (uml/host/subreaper.c) runs the boot in a new session and, when
# it is over, kills and reaps every process re-parented to it (UML's host
# processes survive a guest panic).  It stays out of the boot's process
# group, which a panicking UML signals with kill(0, SIGTERM).  timeout bounds
# the whole boot (TERM, then KILL 5 s later, to its process group).
set +e
(cd "$tmp" && TMPDIR="$tmp/run" exec "$tmp/subreaper" timeout -k 5 "$tmo" "${cmd[@]}" \
	</dev/null >"$out.console" 2>"$out.stderr") &
runner=$!
wait "$runner"
rc=$?
set -e
runner=

# console lines end in \r\n
sed -i 's/\r$//' "$out.console"

status=ok
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	status="timed out after ${tmo}s"
elif ! grep -q 'reboot: System halted\|reboot: Power down' "$out.console"; then
	status="guest did not power off (rc=$rc; see $out.console)"
fi
echo "uml-capture.sh: linux.uml exit $rc: $status" >&2
[ "$use_strace" = 1 ] && echo "uml-capture.sh: trace   $out ($(wc -l <"$out") lines)" >&2
echo "uml-capture.sh: console $out.console, stderr $out.stderr" >&2

if [ "$variant" = timed ]; then
	line=$(grep -m1 '^JSON ' "$out.console" | sed 's/^JSON //' || true)
	[ -n "$line" ] || die "no JSON line on the console (see $out.console)"
	if [ -n "$json" ]; then
		cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
		esc() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }
		{
			printf '{\n'
			printf '  "host_kernel": "%s",\n' "$(esc "$(uname -srm)")"
			printf '  "host_cpu": "%s",\n' "$(esc "$cpu")"
			printf '  "host_cpus": %s,\n' "$(nproc)"
			printf '  "uml_binary": "%s",\n' "$(esc "$uml $("$uml" --version 2>/dev/null | head -1)")"
			printf '  "uml_package": "%s",\n' "$(esc "$(dpkg-query -W -f='${Package} ${Version}' user-mode-linux 2>/dev/null || echo unknown)")"
			printf '  "boot": "%s",\n' "$(esc "mem=$mem hostfs root, ${init_args[*]}$([ "$nosysemu" = 1 ] && echo ', nosysemu')")"
			printf '  "pinned_cpus": "%s",\n' "$(esc "${cpus:-none}")"
			printf '  "traced": false,\n'
			printf '  "captured": "%s",\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
			printf '  "guest": %s\n' "$line"
			printf '}\n'
		} >"$json.tmp"
		mv "$json.tmp" "$json"
		echo "uml-capture.sh: json    $json" >&2
	else
		echo "$line"
	fi
fi

[ "$status" = ok ] || exit 1
