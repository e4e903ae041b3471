#!/bin/sh
# Build and run the HTTP request parser tests: freestanding compile checks,
# the host tests (llhttp cases + unit tests, ASan/UBSan), the fuzz target
# replayed under gcc with random mutations, and libFuzzer for ~20 s when
# clang can build it.  The last line is "N passed, N failed"; the exit status
# is non-zero when anything failed.  FUZZ_SECONDS overrides the fuzz time.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
SRC="$HERE/../http_parser.c"
DATA="$ROOT/../shared/testdata/http/llhttp-requests"
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
OUT=$(mktemp -d "${TMPDIR:-/tmp}/anx-httpd-tests.XXXXXX")
trap 'rm -rf "$OUT"' EXIT INT TERM
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }

# 1. freestanding, as the kernel compiles it
for cc in gcc aarch64-linux-gnu-gcc; do
	if ! command -v "$cc" >/dev/null 2>&1; then
		echo "SKIP freestanding $cc: not installed"
		continue
	fi
	obj="$OUT/http_parser.$cc.o"
	if "$cc" -std=c11 -ffreestanding -nostdinc -isystem "$($cc -print-file-name=include)" \
		-O2 -Wall -Wextra -Werror -c "$SRC" -o "$obj" >"$OUT/cc.log" 2>&1; then
		undef=$(nm "$obj" 2>/dev/null | awk '$1 == "U" { print $2 }' |
			grep -v -E '^(memcpy|memset|memcmp|memmove|strlen)$' || true)
		if [ -z "$undef" ]; then
			ok "freestanding $cc -Wall -Wextra -Werror"
		else
			bad "freestanding $cc: undefined symbols: $undef"
		fi
	else
		cat "$OUT/cc.log"
		bad "freestanding $cc"
	fi
done

# 2. host tests
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
if gcc -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra $SAN -o "$OUT/test_http" \
	"$HERE/test_http.c" "$SRC" >"$OUT/cc.log" 2>&1; then
	if [ -d "$DATA" ]; then
		"$OUT/test_http" "$DATA" >"$OUT/test.log" 2>&1
	else
		echo "skip  httpd/llhttp-cases: $DATA is absent (../shared/testdata beside the repository)"
		"$OUT/test_http" >"$OUT/test.log" 2>&1
	fi
	rc=$?
	grep -v -E '^[0-9]+ passed, [0-9]+ failed$' "$OUT/test.log"
	line=$(tail -n 1 "$OUT/test.log")
	p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	if [ -n "$p" ] && [ -n "$f" ]; then
		echo "test_http: $p passed, $f failed"
		passed=$((passed + p))
		failed=$((failed + f))
		[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || bad "test_http exit status $rc"
	else
		bad "test_http crashed (exit $rc)"
	fi
else
	cat "$OUT/cc.log"
	bad "build test_http"
fi

# seeds: our own plus the llhttp cases
mkdir -p "$OUT/corpus"
cp "$HERE"/seeds/* "$OUT/corpus/"
[ -d "$DATA/cases" ] && cp "$DATA"/cases/* "$OUT/corpus/"

# 3. fuzz target under gcc: replay the seeds and random mutations of them
if gcc -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra $SAN -o "$OUT/replay" \
	"$HERE/fuzz_http.c" "$HERE/replay.c" "$SRC" >"$OUT/cc.log" 2>&1; then
	if "$OUT/replay" -m 100000 "$OUT/corpus" >"$OUT/replay.log" 2>&1; then
		ok "fuzz replay (gcc): $(tail -n 1 "$OUT/replay.log")"
	else
		tail -n 30 "$OUT/replay.log"
		bad "fuzz replay (gcc)"
	fi
else
	cat "$OUT/cc.log"
	bad "build replay"
fi

# 4. libFuzzer
if command -v clang >/dev/null 2>&1 &&
	clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o "$OUT/fuzz_http" "$HERE/fuzz_http.c" "$SRC" \
		>"$OUT/cc.log" 2>&1; then
	mkdir -p "$OUT/artifacts"
	if (cd "$OUT" && ./fuzz_http -max_total_time="$FUZZ_SECONDS" -max_len=4096 \
		-dict="$HERE/http.dict" -artifact_prefix="$OUT/artifacts/" \
		"$OUT/corpus" >"$OUT/fuzz.log" 2>&1); then
		runs=$(grep -o 'Done [0-9]* runs' "$OUT/fuzz.log" | tail -n 1)
		cov=$(grep -o 'cov: [0-9]*' "$OUT/fuzz.log" | tail -n 1)
		ok "libFuzzer ${FUZZ_SECONDS}s: $runs, $cov"
	else
		tail -n 40 "$OUT/fuzz.log"
		for a in "$OUT"/artifacts/*; do
			[ -f "$a" ] && cp "$a" "$HERE/" && echo "kept $(basename "$a") in $HERE"
		done
		bad "libFuzzer"
	fi
else
	echo "SKIP libFuzzer: clang with -fsanitize=fuzzer not available"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
