# What the boot-test scripts (tests/boot/*.sh) share; each sources it after
# its `set` line:  source "$(dirname "$0")/lib.sh"
# It goes to the repository root and sets
#   root      the repository
#   platform  the script's first argument (default x86_64-pc)
#   boot      (--boot MODE) when a second argument is given, else ()
#             (a script whose second argument means something else ignores it)
#   tag       PLATFORM or PLATFORM-MODE: in the name of every file a script
#             writes, so runs on other platforms or modes side by side (anx
#             matrix -j) never share one
# and defines free_port, listening, wait_listening, port_manifest, fresh_out, start_image, fail and check.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
platform=${1:-x86_64-pc}
boot=()
if [ -n "${2:-}" ]; then boot=(--boot "$2"); fi
tag=$platform${2:+-$2}

# free_port [N]: N (1) TCP ports free on 127.0.0.1 now (the kernel's choice
# for a bind to port 0), for host-side forwards or servers: a fixed port
# could be another suite's, so two runs side by side would take each
# other's. The N are bound together while chosen, so they differ (separate
# calls may get one port twice): read -r a b <<<"$(free_port 2)".
free_port() {
    python3 -c 'import socket, sys
s = [socket.socket() for _ in range(int(sys.argv[1]))]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))' "${1:-1}"
}

# True when something listens on PORT (on 127.0.0.1 or any IPv4 address).
listening() {
    grep -q ":$(printf '%04X' "$1") 00000000:0000 0A" /proc/net/tcp
}

# wait_listening PORT...: returns once every PORT listens (at most 5 s), for
# a host server started in the background.
wait_listening() {
    local p all
    for _ in $(seq 1 50); do
        all=1
        for p in "$@"; do listening "$p" || all=0; done
        [ $all = 1 ] && return 0
        sleep 0.1
    done
}

# port_manifest YAML OUT PLACEHOLDER=PORT...: writes a copy of YAML into
# OUT with each 10.0.2.2:PLACEHOLDER (the host in QEMU's user network) made
# 10.0.2.2:PORT, the free port a host server listens on, and prints the
# copy's path; fails, saying which, when YAML lacks a placeholder.
port_manifest() {
    local yaml=$1 out=$2 pair expr=""
    shift 2
    local copy=$out/$(basename "$yaml")
    for pair in "$@"; do expr+="s#10\.0\.2\.2:${pair%%=*}#10.0.2.2:${pair#*=}#g;"; done
    sed -e "$expr" "$yaml" >"$copy" || return 1
    for pair in "$@"; do
        grep -q "10.0.2.2:${pair#*=}" "$copy" || { echo "FAIL: no 10.0.2.2:${pair%%=*} in $yaml" >&2; return 1; }
    done
    echo "$copy"
}

# fresh_out NAME: out=build/test/NAME-TAG, emptied, for the script's files
# (build/test/, never build/NAME-PLATFORM: that is a manifest's build folder).
fresh_out() {
    out=$root/build/test/$1-$tag
    rm -rf "$out"
    mkdir -p "$out"
}

# start_image LOG REGEX ANX-RUN-ARGS...: `gen/anx run ANX-RUN-ARGS` in its
# own session (so the group, anx and QEMU, is stopped by its id), its output
# in LOG; sets pid, stops the group when the script exits, and returns 0
# once LOG shows REGEX, 1 when QEMU ended first or after 60 s.
start_image() {
    local log=$1 pattern=$2
    shift 2
    setsid gen/anx run "$@" </dev/null >"$log" 2>&1 &
    pid=$!
    trap '[ -n "${pid:-}" ] && kill -- -$pid 2>/dev/null' EXIT
    for _ in $(seq 1 600); do
        grep -q "$pattern" "$log" && return 0
        kill -0 $pid 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# fail MESSAGE: says it and counts it in fails (for scripts that go on
# after a failure and end with [ $fails = 0 ]).
fails=0
fail() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}

# check NAME COMMAND...: one test line, "ok   NAME" or "FAIL NAME" as
# COMMAND succeeds, counted in passes or fails (for scripts that end with
# echo "$passes passed, $fails failed").
passes=0
check() {
    local name=$1
    shift
    if "$@"; then
        echo "ok   $name"
        passes=$((passes + 1))
    else
        echo "FAIL $name"
        fails=$((fails + 1))
    fi
}
