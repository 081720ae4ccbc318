#!/usr/bin/env bash
# Re-record the real-kernel fixtures: for every test/fixtures/kernel/NAME.script,
# run build/ptsim-harness three times and write NAME.expected.jsonl beside it.
# A script whose three runs differ is flaky and fails the whole recording
# (nothing is written for it).  Fixtures are written to a temp file and renamed,
# so a fixture is never half-written.
#
#   bash scripts/record-fixtures.sh            # all scripts
#   bash scripts/record-fixtures.sh NAME...    # only these (name or path)
#   FIXTURE_DIR=test/fixtures/ported bash scripts/record-fixtures.sh   # another directory
#     (the conformance table's ported cases: npm run conformance)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/build-harness.sh

dir=${FIXTURE_DIR:-test/fixtures/kernel}
harness=build/ptsim-harness
runs=3

if [ "$#" -gt 0 ]; then
	scripts=()
	for a in "$@"; do
		a=${a%.script}
		a=${a##*/}
		scripts+=("$dir/$a.script")
	done
else
	shopt -s nullglob
	scripts=("$dir"/*.script)
	if [ "${#scripts[@]}" -eq 0 ]; then
		echo "record-fixtures.sh: no scripts in $dir" >&2
		exit 1
	fi
fi

tmpdir=$(mktemp -d)
trap 'rm -rf "$tmpdir"' EXIT

fail=0
for s in "${scripts[@]}"; do
	name=$(basename "$s" .script)
	if [ ! -f "$s" ]; then
		echo "FAIL $name: $s not found" >&2
		fail=1
		continue
	fi
	ok=1
	for i in $(seq 1 "$runs"); do
		rc=0
		"$harness" "$s" >"$tmpdir/$name.$i" 2>"$tmpdir/$name.$i.err" || rc=$?
		if [ "$rc" != 0 ]; then
			echo "FAIL $name: run $i exited with status $rc" >&2
			sed 's/^/    /' "$tmpdir/$name.$i.err" >&2
			ok=0
			break
		fi
		if [ -s "$tmpdir/$name.$i.err" ]; then
			echo "FAIL $name: run $i wrote to stderr:" >&2
			sed 's/^/    /' "$tmpdir/$name.$i.err" >&2
			ok=0
			break
		fi
		if [ "$i" -gt 1 ] && ! cmp -s "$tmpdir/$name.1" "$tmpdir/$name.$i"; then
			echo "FAIL $name: FLAKY, run $i differs from run 1:" >&2
			diff "$tmpdir/$name.1" "$tmpdir/$name.$i" | sed 's/^/    /' >&2 || true
			ok=0
			break
		fi
	done
	if [ "$ok" = 1 ]; then
		out="$dir/$name.expected.jsonl"
		cp "$tmpdir/$name.1" "$out.tmp.$$"
		mv -f "$out.tmp.$$" "$out"
		echo "ok   $name ($(wc -l <"$out") lines)"
	else
		fail=1
	fi
done

if [ "$fail" != 0 ]; then
	echo "record-fixtures.sh: some scripts failed; their fixtures were left unchanged" >&2
	exit 1
fi
