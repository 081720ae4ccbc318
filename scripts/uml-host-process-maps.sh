#!/usr/bin/env bash
# The address space of a real UML 6.1 host process: boots linux.uml once (scripts/uml-capture.sh
# --variant timed, pinned to CPU 0 unless --cpus none) and, while it runs, prints /proc/PID/status
# memory lines of every traced (state t) child of the linux.uml process every few ms, and the
# full /proc/PID/maps of the first one seen with each VMA count (calibrate/ptrace-calibrate.c's
# umlProc* case is shaped after it). Needs linux.uml, cc with a static libc; root for /proc of
# UML's children is not needed (same user).
# usage: scripts/uml-host-process-maps.sh [--cpus LIST|none] > OUT.txt
set -euo pipefail
cpus=0
while [ $# -gt 0 ]; do
	case "$1" in
		--cpus) cpus="${2:?--cpus needs a list}"; shift 2 ;;
		-h|--help) sed -n 2,8p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
		*) echo "uml-host-process-maps.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
done
command -v linux.uml >/dev/null || { echo "uml-host-process-maps.sh: linux.uml not found (apt-get install -y user-mode-linux)" >&2; exit 1; }
cd "$(dirname "$0")/.."
pin=(--cpus "$cpus"); [ "$cpus" = none ] && pin=()
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bash scripts/uml-capture.sh --variant timed "${pin[@]}" --json "$tmp/timed.json" > "$tmp/capture.log" 2>&1 &
boot=$!
seen=" "
while kill -0 "$boot" 2>/dev/null; do
	p=$(pgrep -o -x linux.uml 2>/dev/null) || { sleep 0.02; continue; }
	for c in $(pgrep -P "$p"); do
		[ "$(awk '{print $3}' "/proc/$c/stat" 2>/dev/null)" = t ] || continue
		m=$(cat "/proc/$c/maps" 2>/dev/null) || continue
		[ -n "$m" ] || continue
		n=$(printf '%s\n' "$m" | wc -l)
		echo "== $(date -u +%H:%M:%S.%N | cut -c1-12) host process $c: $n VMAs; $(grep -E 'VmRSS|RssAnon|RssFile|VmPTE' "/proc/$c/status" 2>/dev/null | tr -s ' \t' ' ' | tr '\n' ' ')"
		case "$seen" in *" $n "*) ;; *) seen="$seen$n "; printf '%s\n' "$m" ;; esac
	done
	sleep 0.005
done
wait "$boot"
