# Sourced by scripts/uml-cross-cpu.sh and scripts/uml-host-process-times.sh: one ftrace instance
# of their own per boot (in-kernel ring buffer, read after the boot, so no reader runs during it).
# `me` must name the calling script (its error messages), `tmp` its temp directory.

T=/sys/kernel/tracing

# ftrace_init NAME: tracefs mounted; `inst` is the instance ptsim-NAME-PID, removed on exit
# (with $tmp) if a boot left it behind.
ftrace_init() {
	[ -d "$T/instances" ] || mount -t tracefs nodev "$T" 2>/dev/null || { echo "$me: no tracefs at $T" >&2; exit 1; }
	inst="$T/instances/ptsim-$1-$$"
	trap 'rmdir "$inst" 2>/dev/null || true; rm -rf "$tmp"' EXIT
}

# ftrace_begin KB: no other linux.uml running (its events would mix in); a fresh instance with a
# KB buffer per CPU. The caller then sets its events' filters, enables them and tracing_on.
ftrace_begin() {
	if pgrep -x linux.uml >/dev/null; then echo "$me: another linux.uml is running" >&2; exit 1; fi
	mkdir "$inst"
	echo "$1" > "$inst/buffer_size_kb"
}

# ftrace_end: tracing off, the buffer copied to $tmp/trace, the instance removed.
ftrace_end() {
	echo 0 > "$inst/tracing_on"
	cat "$inst/trace" > "$tmp/trace"
	rmdir "$inst"
}
