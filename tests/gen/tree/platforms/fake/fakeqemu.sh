#!/bin/sh
# A QEMU double: checks it got a kernel, then plays a booting image on its
# console: banner, ready line, a shell answering a few commands. Exit codes
# follow isa-debug-exit: (status << 1) | 1.
kernel=""
slow=0
while [ $# -gt 0 ]; do
    case "$1" in
        -kernel) kernel="$2"; shift ;;
        -slow) slow=1 ;;
    esac
    shift
done
[ -f "$kernel" ] || { echo "fakeqemu: no kernel '$kernel'" >&2; exit 1; }
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
        *) echo "unknown command: $line" ;;
    esac
    printf 'anx> '
done
exit 1
