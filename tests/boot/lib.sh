# What the boot-test scripts (tests/boot/*.sh) share; each sources it after
# its `set` line:  source "$(dirname "$0")/lib.sh"
# It goes to the repository root and sets
#   root      the repository
#   platform  the script's first argument (default x86_64-pc)
#   boot      (--boot MODE) when a second argument is given, else ()
#             (a script whose second argument means something else ignores it)
# and defines free_port, listening, fresh_out and fail.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
platform=${1:-x86_64-pc}
boot=()
if [ -n "${2:-}" ]; then boot=(--boot "$2"); fi

# A TCP port free on 127.0.0.1 now (the kernel's choice for a bind to port
# 0), for a host-side forward or server: a fixed port could be another
# suite's, so two runs side by side would take each other's.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# True when something listens on PORT (on 127.0.0.1 or any IPv4 address).
listening() {
    grep -q ":$(printf '%04X' "$1") 00000000:0000 0A" /proc/net/tcp
}

# fresh_out NAME: out=build/NAME-PLATFORM, emptied, for the script's files.
fresh_out() {
    out=$root/build/$1-$platform
    rm -rf "$out"
    mkdir -p "$out"
}

# fail MESSAGE: says it and counts it in fails (for scripts that go on
# after a failure and end with [ $fails = 0 ]).
fails=0
fail() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}
