#!/usr/bin/env bash
# Tests of anx store (tools/store, the host tool) as a user runs it:
#   - put gives an object the content type the image build gives a file of
#     the same name (core/lib/content_type.c, shared with the image);
#   - the time a version records is Unix time in nanoseconds;
#   - the disk lock (tools/store/disk_lock.c): readers share a disk, a
#     writer has it alone, and a disk in use is refused with "disk in use by
#     NAME (pid N)"; against a real qemu-system-x86_64 holding a raw image
#     (its OFD locks), both ways, when QEMU is installed.
# Ends with "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=$root/build/test-store
rm -rf "$out"
mkdir -p "$out"
pass=0 fail=0
ok() { printf 'ok    %s\n' "$1"; pass=$((pass + 1)); }
bad() {
    printf 'FAIL  %s\n' "$1"
    [ -n "${2:-}" ] && printf '%s\n' "$2" | head -20 | sed 's/^/      /'
    fail=$((fail + 1))
}
if ! make -s -C "$root/tools/store" OUT="$out/host" >"$out/make.log" 2>&1; then
    bad "make -C tools/store" "$(cat "$out/make.log")"
    echo "$pass passed, $fail failed"
    exit 1
fi
store=$out/host/anx-store
disk=$out/disk.img
"$store" create "$disk" --size 8M >/dev/null || bad "create"
echo "hello" >"$out/f"

"$store" --help >"$out/help" 2>&1
if [ $? -eq 0 ] && grep -q '^usage: anx store COMMAND DISK' "$out/help"; then
    ok "--help: exit 0, 'usage: anx store'"
else
    bad "--help" "$(cat "$out/help")"
fi

# Content types: the extension's type from core/lib/content_type.c, the one
# table the image build, the router and this tool share; another extension
# is application/octet-stream; --type wins.
wrong=""
for pair in page.html:text/html style.CSS:text/css app.js:text/javascript data.json:application/json \
            logo.png:image/png notes.txt:text/plain; do
    name=site/${pair%%:*} type=${pair#*:}
    "$store" put "$disk" "$name" "$out/f" >/dev/null 2>&1
    got=$("$store" ls "$disk" "$name" | awk '{print $5}')
    [ "$got" = "$type" ] || wrong="$wrong $name: got '$got', want '$type';"
done
"$store" put "$disk" notes/readme "$out/f" >/dev/null
"$store" put "$disk" site/raw.txt "$out/f" --type application/x-mine >/dev/null
[ "$("$store" ls "$disk" notes/readme | awk '{print $5}')" = application/octet-stream ] ||
    wrong="$wrong notes/readme is not application/octet-stream;"
[ "$("$store" ls "$disk" site/raw.txt | awk '{print $5}')" = application/x-mine ] ||
    wrong="$wrong --type did not win;"
if [ -z "$wrong" ]; then
    ok "put: the content type from the name (core/lib/content_type.c, as the image build gives it), --type wins"
else
    bad "put: content types" "$wrong"
fi

# time_ns: Unix time in nanoseconds (log prints it as seconds.nanoseconds)
before=$(date +%s)
"$store" put "$disk" when "$out/f" >/dev/null
after=$(date +%s)
t=$("$store" log "$disk" when | sed -n 's/.* time \([0-9]*\)\.\([0-9]\{9\}\) .*/\1/p')
if [ -n "$t" ] && [ "$t" -ge "$before" ] && [ "$t" -le "$after" ]; then
    ok "put: the version's time is Unix time in ns ($t)"
else
    bad "put: the version's time is Unix time" "log: $("$store" log "$disk" when); now $before..$after"
fi

# hold_write PID_VAR: a put reading stdin from a FIFO holds the write lock
# until fd 8 closes; hold_read: a get writing to a FIFO holds the read lock
# until the FIFO is read. Both wait until the lock shows in /proc.
mkfifo "$out/in.fifo" "$out/out.fifo"
wait_lock() { for _ in $(seq 1 100); do grep -qs '^lock:' /proc/"$1"/fdinfo/* && return 0; sleep 0.05; done; return 1; }
"$store" put "$disk" slow - <"$out/in.fifo" >/dev/null 2>&1 &
writer=$!
exec 8>"$out/in.fifo"
wait_lock "$writer"
"$store" ls "$disk" >/dev/null 2>"$out/err1"
rc1=$?
"$store" put "$disk" other "$out/f" >/dev/null 2>"$out/err2"
rc2=$?
"$store" create "$disk" --size 4M --force >/dev/null 2>"$out/err3"
rc3=$?
exec 8>&-
wait "$writer"
rcw=$?
if [ $rc1 -eq 1 ] && [ $rc2 -eq 1 ] && [ $rc3 -eq 1 ] && [ $rcw -eq 0 ] &&
    grep -q "anx store: $disk: disk in use by anx-store (pid $writer); stop it first" "$out/err1" &&
    grep -q "disk in use by anx-store (pid $writer)" "$out/err2" &&
    grep -q "disk in use by anx-store (pid $writer)" "$out/err3" &&
    [ "$(stat -c %s "$disk")" = 8388608 ] && "$store" check "$disk" >/dev/null; then
    ok "lock: while put writes, ls, put and create --force refuse: 'disk in use by anx-store (pid N)'"
else
    bad "lock: a writer has the disk alone" "ls $rc1, put $rc2, create $rc3, writer $rcw: $(cat "$out/err1" "$out/err2" "$out/err3")"
fi
"$store" get "$disk" when -o "$out/out.fifo" 2>"$out/err0" &
reader=$!
wait_lock "$reader"
"$store" ls "$disk" >"$out/ls" 2>"$out/err1"
rc1=$?
"$store" check "$disk" >/dev/null 2>&1
rc2=$?
"$store" put "$disk" other "$out/f" >/dev/null 2>"$out/err2"
rc3=$?
got=$(cat "$out/out.fifo")
wait "$reader"
if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [ $rc3 -eq 1 ] && [ "$got" = hello ] &&
    grep -q "disk in use by anx-store (pid $reader)" "$out/err2"; then
    ok "lock: readers share the disk (ls, check beside get); a writer waits for them"
else
    bad "lock: readers share the disk" "ls $rc1, check $rc2, put $rc3, get '$got': $(cat "$out/err1" "$out/err2" "$out/err0")"
fi

if command -v qemu-system-x86_64 >/dev/null; then
    qemu=(qemu-system-x86_64 -M q35 -accel tcg -display none -nodefaults -S
          -drive "file=$disk,if=none,id=d0,format=raw" -device virtio-blk-pci,drive=d0)
    # a bare QEMU (no anx) on the disk: its OFD locks keep anx store out
    "${qemu[@]}" &
    qpid=$!
    # QEMU locks in steps (the drive, then the device's write permission):
    # wait for the last, byte 201 (write not shared)
    for _ in $(seq 1 100); do grep -qs '^lock:.* 201 201$' /proc/"$qpid"/fdinfo/* && break; sleep 0.05; done
    "$store" put "$disk" x "$out/f" >/dev/null 2>"$out/err1"
    rc1=$?
    "$store" ls "$disk" >/dev/null 2>"$out/err2"
    rc2=$?
    kill "$qpid"
    wait "$qpid" 2>/dev/null
    "$store" put "$disk" x "$out/f" >/dev/null 2>"$out/err3"
    rc3=$?
    if [ $rc1 -eq 1 ] && [ $rc2 -eq 1 ] && [ $rc3 -eq 0 ] &&
        grep -q "disk in use by qemu-system-x86_64 (pid $qpid)" "$out/err1" &&
        grep -q "disk in use by qemu-system-x86_64 (pid $qpid)" "$out/err2"; then
        ok "lock: put and ls refuse a disk a bare QEMU holds: 'disk in use by qemu-system-x86_64 (pid N)'"
    else
        bad "lock: a bare QEMU's disk" "put $rc1, ls $rc2, put after $rc3: $(cat "$out/err1" "$out/err2" "$out/err3")"
    fi
    # and the other way: QEMU refuses the disk while anx store writes or reads it
    "$store" put "$disk" slow - <"$out/in.fifo" >/dev/null 2>&1 &
    writer=$!
    exec 8>"$out/in.fifo"
    wait_lock "$writer"
    timeout 20 "${qemu[@]}" >/dev/null 2>"$out/qerr1"
    rc1=$?
    exec 8>&-
    wait "$writer"
    "$store" get "$disk" when -o "$out/out.fifo" 2>/dev/null &
    reader=$!
    wait_lock "$reader"
    timeout 20 "${qemu[@]}" >/dev/null 2>"$out/qerr2"
    rc2=$?
    cat "$out/out.fifo" >/dev/null
    wait "$reader"
    if [ $rc1 -eq 1 ] && grep -q 'Failed to get .* lock' "$out/qerr1" &&
        [ $rc2 -eq 1 ] && grep -q 'Failed to get .* lock' "$out/qerr2"; then
        ok "lock: QEMU refuses a disk anx store writes or reads (QEMU's own locking sees ours)"
    else
        bad "lock: QEMU refuses a disk anx store holds" "$rc1: $(cat "$out/qerr1"); $rc2: $(cat "$out/qerr2")"
    fi
else
    echo "skip  lock: a real QEMU's disk: qemu-system-x86_64 is not installed"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
