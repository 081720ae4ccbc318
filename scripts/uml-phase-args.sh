# Sourced by scripts/uml-cpu-split.sh, uml-host-syscalls.sh and uml-host-process-times.sh: the checks of their
# shared options. `me` must name the calling script (for its error messages).

# need_positive OPTION VALUE: exit 2 unless VALUE is a positive decimal number.
need_positive() {
	[[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "$me: $1: expected a positive number, got '$2'" >&2; exit 2; }
}

# phase_param PHASE: sets `param`, the guest init's phase parameter (uml/guest/init.c):
# getpid, fork and exec by name, the first-touch fault as `pages`; exit 2 for anything else.
phase_param() {
	case "$1" in
		getpid|fork|exec) param=$1 ;;
		fault) param=pages ;;
		*) echo "$me: --phase: expected getpid, fault, fork or exec, got '$1'" >&2; exit 2 ;;
	esac
}
