#!/usr/bin/env python3
"""A QEMU double with a QMP socket and a screen, for the screen and input
checks of anx test (docs/anx.md "Screen checks"); tests/gen/run.sh makes it
the QEMU of a platform fake-qmp in a copy of tree/.

It checks it got a kernel, prints a ready line and a prompt on its console,
and listens on -qmp unix:PATH,server=on,wait=off like QEMU. The screen is
FAKEQMP_SIZE (WxH, default 64x48) of FAKEQMP_BG (rrggbb, default 203040)
with a 10x10 white square at (4, 4); for the first FAKEQMP_LATE_MS
milliseconds (default 0) it is all black, as a screen before the guest
draws. screendump writes it as a PPM, or fails as QEMU does without a
display when FAKEQMP_NO_CONSOLE is set. A button press paints a 3x3 red
square centred on the pointer, which input-send-event moves: abs values
scaled back as a guest does (core/input.c: round(v * size / 0x7fff)), rel moves
clamped to the screen.
query-mice reports the current mouse as absolute unless FAKEQMP_MOUSE=rel.
Every send-key and input-send-event is logged to FAKEQMP_LOG, one line
each. An event precedes every answer, as QEMU's asynchronous events may.
"""
import json, os, socket, sys, time

args = sys.argv[1:]
kernel = qmp = None
for i, a in enumerate(args):
    if a == "-kernel":
        kernel = args[i + 1]
    if a == "-qmp":
        qmp = args[i + 1]
if not kernel or not os.path.isfile(kernel):
    sys.stderr.write("fakeqmp: no kernel '%s'\n" % kernel)
    sys.exit(1)

w, h = (int(v) for v in os.environ.get("FAKEQMP_SIZE", "64x48").split("x"))
bg = bytes.fromhex(os.environ.get("FAKEQMP_BG", "203040"))
late = int(os.environ.get("FAKEQMP_LATE_MS", "0")) / 1000
absolute = os.environ.get("FAKEQMP_MOUSE", "abs") != "rel"
log = open(os.environ.get("FAKEQMP_LOG", os.devnull), "a", buffering=1)
start = time.monotonic()
screen = bytearray(bg * (w * h))
for y in range(4, 14):
    for x in range(4, 14):
        screen[(y * w + x) * 3:(y * w + x) * 3 + 3] = b"\xff\xff\xff"
px = py = 0

sys.stdout.write("fake boot\nanunix: ready\nanx> ")
sys.stdout.flush()
if not qmp:
    time.sleep(60)
    sys.exit(0)
path = qmp[len("unix:"):].split(",")[0]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
srv = socket.socket(socket.AF_UNIX)
srv.bind(path)
srv.listen(1)


def answer(f, msg, ident):
    f.write(json.dumps({"event": "FAKE", "data": {}, "timestamp": {"seconds": 0, "microseconds": 0}}) + "\r\n")
    msg["id"] = ident
    f.write(json.dumps(msg) + "\r\n")
    f.flush()


def dump(filename):
    img = screen if time.monotonic() - start >= late else bytes(w * h * 3)
    with open(filename, "wb") as out:
        out.write(b"P6\n%d %d\n255\n" % (w, h) + bytes(img))


def events(evs):
    global px, py
    for e in evs:
        t, d = e["type"], e["data"]
        if t == "abs":
            size = w if d["axis"] == "x" else h
            v = (d["value"] * size + 0x7fff // 2) // 0x7fff
            if d["axis"] == "x":
                px = v
            else:
                py = v
            log.write("abs %s %d\n" % (d["axis"], d["value"]))
        elif t == "rel":
            if d["axis"] == "x":
                px = min(max(px + d["value"], 0), w - 1)
            else:
                py = min(max(py + d["value"], 0), h - 1)
            log.write("rel %s %d\n" % (d["axis"], d["value"]))
        elif t == "btn":
            log.write("btn %s %s at %d,%d\n" % (d["button"], "down" if d["down"] else "up", px, py))
            if d["down"]:
                for y in range(py - 1, py + 2):
                    for x in range(px - 1, px + 2):
                        if 0 <= x < w and 0 <= y < h:
                            screen[(y * w + x) * 3:(y * w + x) * 3 + 3] = b"\xff\x00\x00"


while True:
    conn, _ = srv.accept()
    f = conn.makefile("rw")
    f.write(json.dumps({"QMP": {"version": {"qemu": {"major": 7, "minor": 2, "micro": 0}}, "capabilities": []}}) + "\r\n")
    f.flush()
    for line in f:
        req = json.loads(line)
        cmd, a, ident = req.get("execute"), req.get("arguments", {}), req.get("id")
        if cmd == "qmp_capabilities":
            answer(f, {"return": {}}, ident)
        elif cmd == "screendump":
            if os.environ.get("FAKEQMP_NO_CONSOLE"):
                answer(f, {"error": {"class": "GenericError", "desc": "There is no console to take a screendump from"}}, ident)
            else:
                dump(a["filename"])
                answer(f, {"return": {}}, ident)
        elif cmd == "send-key":
            log.write("key %s hold %d\n" % ("+".join(k["data"] for k in a["keys"]), a.get("hold-time", 100)))
            answer(f, {"return": {}}, ident)
        elif cmd == "input-send-event":
            events(a["events"])
            answer(f, {"return": {}}, ident)
        elif cmd == "query-mice":
            answer(f, {"return": [{"name": "QEMU PS/2 Mouse", "index": 0, "current": not absolute, "absolute": False},
                                  {"name": "QEMU Virtio Tablet", "index": 1, "current": absolute, "absolute": True}]}, ident)
        else:
            answer(f, {"error": {"class": "CommandNotFound", "desc": "The command %s has not been found" % cmd}}, ident)
    conn.close()
