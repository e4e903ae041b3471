#!/bin/sh
# A QEMU double: checks it got a kernel, then plays a booting image on its
# console: banner, ready line, a shell answering a few commands. Exit codes
# follow isa-debug-exit: (status << 1) | 1.
# Its first hostfwd= rule (-netdev user,...,hostfwd=tcp:127.0.0.1:H-:G):
# like QEMU it binds and listens on 127.0.0.1:H before the "guest" starts,
# and fails with QEMU's message on stderr (exit 1) when H is taken; so it
# does with FAKEQEMU_HOSTFWD_FAIL set (the port taken after anx checked it),
# or with FAKEQEMU_HOSTFWD_FAIL_ONCE=FILE when FILE is absent (it creates
# FILE: the next run binds). With FAKEQEMU_HTTP_DIR set it plays the
# forward and the guest's web server at once: an HTTP server on that socket
# serving that folder (its log to FAKEQEMU_HTTP_LOG). The socket ends with
# the double, as a QEMU's forward ends with it.
# The shell's "await" waits until the file FAKEQEMU_AWAIT exists.
# `-display help` lists display backends as QEMU does: gtk among them unless
# FAKEQEMU_NO_GTK is set (Debian's qemu-system-gui not installed).
if [ "$*" = "-display help" ]; then
    echo "Available display backend types:"
    echo none
    [ -n "${FAKEQEMU_NO_GTK:-}" ] || echo gtk
    echo vnc
    exit 0
fi
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
# Binds 127.0.0.1:PORT, says "bound" (or "busy") on stdout, then serves DIR
# over HTTP, or with no DIR just holds the port.
hold='
import os, socket, sys
port, folder = int(sys.argv[1]), sys.argv[2]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as slirp does
try:
    s.bind(("127.0.0.1", port))
    s.listen(16)
except OSError:
    print("busy", flush=True)
    sys.exit(1)
print("bound", flush=True)
os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
if not folder:
    while True:
        __import__("signal").pause()
import functools, http.server   # only now: the bind is what the boot waits for
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=folder)
server = http.server.ThreadingHTTPServer(s.getsockname(), handler, bind_and_activate=False)
server.socket.close()
server.socket = s
server.serve_forever()
'
case "$netdev" in
    *hostfwd=*)
        rule=${netdev#*hostfwd=}
        rule=${rule%%,*}
        port=${rule#tcp:127.0.0.1:}
        port=${port%%-*}
        fail=${FAKEQEMU_HOSTFWD_FAIL:-}
        if [ -n "${FAKEQEMU_HOSTFWD_FAIL_ONCE:-}" ] && [ ! -e "$FAKEQEMU_HOSTFWD_FAIL_ONCE" ]; then
            : >"$FAKEQEMU_HOSTFWD_FAIL_ONCE"
            fail=1
        fi
        bound=""
        if [ -z "$fail" ]; then
            fifo=$(mktemp -u "${TMPDIR:-/tmp}/fakeqemu.XXXXXX")
            mkfifo "$fifo"
            python3 -c "$hold" "$port" "${FAKEQEMU_HTTP_DIR:-}" >"$fifo" 2>>"${FAKEQEMU_HTTP_LOG:-/dev/null}" </dev/null &
            server=$!
            trap 'kill $server 2>/dev/null' EXIT
            trap 'exit 143' TERM
            trap 'exit 129' HUP
            read -r bound <"$fifo" || bound=""
            rm -f "$fifo"
        fi
        if [ "$bound" != bound ]; then
            echo "fakeqemu.sh: -netdev $netdev: Could not set up host forwarding rule '$rule'" >&2
            exit 1
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
        await) while [ ! -e "${FAKEQEMU_AWAIT:-/nonexistent}" ]; do sleep 0.05; done; echo "awaited" ;;
        # exits with status 3 while a child keeps the console open
        crash) sleep 30 & exit 7 ;;
        *) echo "unknown command: $line" ;;
    esac
    printf 'anx> '
done
exit 1
