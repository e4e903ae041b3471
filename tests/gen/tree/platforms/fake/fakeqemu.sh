#!/bin/sh
# A QEMU double: checks it got a kernel, then plays a booting image on its
# console: banner, ready line, a shell answering a few commands. Exit codes
# follow isa-debug-exit: (status << 1) | 1.
# Its first hostfwd= rule (-netdev user,...,hostfwd=tcp:127.0.0.1:H-:G):
# with FAKEQEMU_HOSTFWD_FAIL set it fails as QEMU does when another program
# took the port after anx checked it (QEMU's message on stderr, exit 1);
# with FAKEQEMU_HTTP_DIR set it plays the forward and the guest's web
# server at once: python3's http.server on 127.0.0.1:H serving that folder
# (its log to FAKEQEMU_HTTP_LOG), ended with the double, as a QEMU's
# forward ends with it.
kernel=""
slow=0
netdev=""
while [ $# -gt 0 ]; do
    case "$1" in
        -kernel) kernel="$2"; shift ;;
        -netdev) netdev="$2"; shift ;;
        -slow) slow=1 ;;
    esac
    shift
done
[ -f "$kernel" ] || { echo "fakeqemu: no kernel '$kernel'" >&2; exit 1; }
case "$netdev" in
    *hostfwd=*)
        rule=${netdev#*hostfwd=}
        rule=${rule%%,*}
        if [ -n "${FAKEQEMU_HOSTFWD_FAIL:-}" ]; then
            echo "fakeqemu.sh: -netdev $netdev: Could not set up host forwarding rule '$rule'" >&2
            exit 1
        fi
        if [ -n "${FAKEQEMU_HTTP_DIR:-}" ]; then
            port=${rule#tcp:127.0.0.1:}
            port=${port%%-*}
            python3 -m http.server --bind 127.0.0.1 --directory "$FAKEQEMU_HTTP_DIR" "$port" \
                >>"${FAKEQEMU_HTTP_LOG:-/dev/null}" 2>&1 </dev/null &
            server=$!
            trap 'kill $server 2>/dev/null' EXIT
            trap 'exit 143' TERM
            trap 'exit 129' HUP
        fi ;;
esac
[ $slow = 1 ] && exec sleep 30
echo "fake boot: $(wc -c < "$kernel") bytes"
echo "anunix: ready"
printf 'anx> '
while IFS= read -r line; do
    echo "$line"
    case "$line" in
        modules) echo "alpha beta gamma" ;;
        poweroff) exit 1 ;;
        fail) exit 7 ;;
        reset) exit 0 ;;
        hang) sleep 30 ;;
        # exits with status 3 while a child keeps the console open
        crash) sleep 30 & exit 7 ;;
        *) echo "unknown command: $line" ;;
    esac
    printf 'anx> '
done
exit 1
