#!/usr/bin/env python3
"""CSS 2.1 reftest runner for the browser image (tests/css/run.sh is the entry point).

One image (tests/css/reftest.yaml, copied into the build folder with the
corpus folder and the Ahem font added to its files archive) is built once and
booted under `gen/anx run --display none` (again every PAGES_PER_BOOT pages,
with the QEMU command line anx run printed); this script drives its serial
console. For each
page it types `browse-digest file:///css21/PAGE` (modules/browser/reftest.c)
and reads back the SHA-256 of the painted screen. A test passes when its
digest equals one of its match references' and differs from every mismatch
reference's (index.tsv). Each page is loaded once: references shared by many
tests are not loaded again.

The serial console is QEMU's -nographic one, muxed with the QEMU monitor:
Ctrl-A c switches to the monitor, where `screendump FILE` writes the screen
as PPM; that is how a failed test's screens and Acid1's rendering are saved.

Only python3's standard library is used (zlib for PNG).
"""
import argparse
import os
import queue
import re
import shlex
import struct
import subprocess
import sys
import threading
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PAGE_TIMEOUT_S = 60
BOOT_TIMEOUT_S = 300
# The image is rebooted after this many pages (a boot takes ~2 s): the
# browser's heap grows and fragments page after page (measured at 256 MiB:
# after ~400 pages allocations start failing and text, then whole pages, go
# missing), and a result must not depend on how many pages came before it.
PAGES_PER_BOOT = 150
ACID1 = "css1/c5526c-display-000.xht"
ACID1_REF = "css1/support/css1test5526c.png"


# ---- PNG and PPM (stdlib only) ---------------------------------------------------

def png_read(path):
    """Decodes a non-interlaced PNG of 8 bits or fewer per sample: (w, h, rows of (r, g, b))."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG file")
    pos, idat, plte = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            plte = [tuple(body[i:i + 3]) for i in range(0, len(body), 3)]
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    if interlace or depth > 8:
        raise ValueError(f"{path}: interlaced or 16-bit PNG is not supported here")
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
    bpp = max(1, channels * depth // 8)
    stride = (w * channels * depth + 7) // 8
    raw = zlib.decompress(idat)
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        prev = line
        samples = []
        if depth < 8:
            for byte in line:
                for s in range(8 // depth):
                    samples.append((byte >> (8 - depth * (s + 1))) & ((1 << depth) - 1))
            samples = samples[:w * channels]
        else:
            samples = list(line)
        px = []
        for x in range(w):
            s = samples[x * channels:(x + 1) * channels]
            if ctype == 3:
                px.append(plte[s[0]])
            elif ctype in (0, 4):
                v = s[0] * 255 // ((1 << depth) - 1)
                px.append((v, v, v))
            else:
                px.append(tuple(s[:3]))
        rows.append(px)
    return w, h, rows


def ppm_read(path):
    """QEMU's screendump (binary P6, 8 bits a sample): (w, h, RGB bytes row after row)."""
    data = open(path, "rb").read()
    fields, pos = [], 0
    while len(fields) < 4:
        m = re.compile(rb"\s*(#[^\n]*\n\s*)*(\S+)").match(data, pos)
        fields.append(m.group(2))
        pos = m.end()
    if fields[0] != b"P6" or fields[3] != b"255":
        raise ValueError(f"{path}: not an 8-bit P6 PPM")
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[pos + 1:pos + 1 + w * h * 3]


def png_write(path, w, h, rgb):
    """RGB bytes row after row -> an 8-bit RGB PNG."""
    raw = b"".join(b"\0" + rgb[y * w * 3:(y + 1) * w * 3] for y in range(h))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


# ---- the image ---------------------------------------------------------------------

class Image:
    """The booted reftest image, driven over its serial console."""

    def __init__(self, cmd, log_path):
        self.log = open(log_path, "w")
        self.lines = queue.Queue()
        self.qemu = None                           # the QEMU command line anx run printed
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        buf = b""
        while True:
            chunk = self.proc.stdout.read1(4096)
            if not chunk:
                self.lines.put(None)
                return
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                text = line.decode("utf-8", "replace").rstrip("\r")
                m = re.match(r"anx: booting [^:]*: (qemu-system-.*)", text)
                if m and self.qemu is None:
                    self.qemu = shlex.split(m.group(1))
                self.log.write(text + "\n")
                self.log.flush()
                self.lines.put(text)

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def wait(self, pattern, timeout):
        """The first line matching pattern (a compiled regex) within timeout s, else None."""
        deadline = time.time() + timeout
        while True:
            left = deadline - time.time()
            if left <= 0:
                return None
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                return None
            if line is None:
                raise RuntimeError("the image stopped (QEMU exited); see the console log")
            m = pattern.search(line)
            if m:
                return m

    def digest(self, url):
        """(sha256 hex, None) or (None, reason)."""
        self.send(f"browse-digest {url} {PAGE_TIMEOUT_S}\n")
        pat = re.compile(r"browse-digest: " + re.escape(url) + r"(?: sha256=([0-9a-f]{64}) |: (.*))")
        m = self.wait(pat, PAGE_TIMEOUT_S + 10)
        if not m:
            return None, f"no answer within {PAGE_TIMEOUT_S + 10} s"
        return (m.group(1), None) if m.group(1) else (None, m.group(2))

    def failed_allocs(self):
        """The heap's failed allocations so far (the shell's mem command), or None."""
        self.send("mem\n")
        m = self.wait(re.compile(r"^heap: .*, (\d+) failed"), 20)
        return int(m.group(1)) if m else None

    def screendump(self, path):
        """The screen as PPM, through the QEMU monitor (Ctrl-A c toggles it)."""
        if os.path.exists(path):
            os.unlink(path)
        self.send(f"\x01cscreendump {path}\n")
        deadline = time.time() + 20
        while time.time() < deadline and not os.path.exists(path):
            time.sleep(0.1)
        time.sleep(0.3)                            # QEMU writes it in one go; let it finish
        self.send("\x01c\n")
        return os.path.exists(path)

    def booted(self):
        return self.wait(re.compile(r"browser: page done: about:blank"), BOOT_TIMEOUT_S) is not None

    def stop(self):
        try:
            self.send("poweroff 0\n")
            self.proc.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()


class Session:
    """Pages on a fresh image every PAGES_PER_BOOT pages (see there)."""

    def __init__(self, manifest, out):
        self.manifest, self.out = manifest, out
        self.img, self.pages, self.boots, self.qemu = None, 0, 0, None

    def _boot(self):
        """The first boot through anx run; the next ones run the QEMU command it printed, so
        every boot runs the image built at the start even when the sources change meanwhile."""
        if self.img:
            self.close()
        self.boots += 1
        cmd = self.qemu or [os.path.join(ROOT, "gen/anx"), "run", self.manifest, "--display", "none",
                            "-o", os.path.join(self.out, "image")]
        self.img = Image(cmd, os.path.join(self.out, f"console-{self.boots}.log"))
        booted = self.img.booted()
        self.qemu = self.qemu or self.img.qemu
        if not booted:
            raise RuntimeError(f"the browser did not show about:blank within {BOOT_TIMEOUT_S} s")
        self.pages = 0

    def image(self):
        if not self.img or self.pages >= PAGES_PER_BOOT:
            self._boot()
        self.pages += 1
        return self.img

    def digest(self, url):
        return self.image().digest(url)

    def screendump(self, path):
        return self.img.screendump(path)

    def close(self):
        """Stops the image; warns when its heap ran out (the results of that boot may suffer)."""
        if not self.img:
            return
        try:
            n = self.img.failed_allocs()
        except (OSError, RuntimeError):
            n = None                               # it is gone already
        if n:
            print(f"css: warning: {n} allocations failed in boot {self.boots} "
                  f"(console-{self.boots}.log): lower PAGES_PER_BOOT or raise the manifest's memory", flush=True)
        self.img.stop()
        self.img = None


# ---- tests ------------------------------------------------------------------------

def read_index(corpus):
    tests = {}                                     # test -> {"category", "flags", "match": [], "mismatch": []}
    with open(os.path.join(corpus, "index.tsv")) as f:
        next(f)
        for line in f:
            test, ref, rel, category, flags = line.rstrip("\n").split("\t")
            t = tests.setdefault(test, {"category": category, "flags": flags, "match": [], "mismatch": []})
            t[rel].append(ref)
    return tests


def select(tests, args):
    names = list(tests)
    if args.category:
        names = [n for n in names if tests[n]["category"] == args.category]
        if not names:
            cats = sorted({t["category"] for t in tests.values()})
            sys.exit(f"css: no category '{args.category}' in index.tsv (there are: {', '.join(cats)})")
    elif args.sample:
        step = max(1, len(names) // args.sample)   # evenly over the index: every category shows up
        names = names[::step][:args.sample]
    elif args.list:
        wanted = [l.split("#")[0].strip() for l in open(args.list)]
        wanted = [w for w in wanted if w]
        unknown = [w for w in wanted if w not in tests]
        if unknown:
            sys.exit(f"css: {args.list}: not tests of index.tsv: {', '.join(unknown)}")
        names = wanted
    return names


def judge(test, t, digests):
    """(passed, reason)."""
    d = digests[test]
    if d[0] is None:
        return False, f"the test page: {d[1]}"
    for ref in t["match"] + t["mismatch"]:
        if digests[ref][0] is None:
            return False, f"{ref}: {digests[ref][1]}"
    if t["match"] and not any(digests[r][0] == d[0] for r in t["match"]):
        return False, "differs from " + " and ".join(t["match"])
    same = [r for r in t["mismatch"] if digests[r][0] == d[0]]
    if same:
        return False, "looks the same as its mismatch reference " + same[0]
    return True, ""


def save_failure(img, test, t, dumps):
    """The test's and its references' screens, PNG, for a person to compare."""
    os.makedirs(dumps, exist_ok=True)
    saved = []
    for page in [test] + t["match"] + t["mismatch"]:
        d, why = img.digest("file:///css21/" + page)
        ppm = os.path.join(dumps, "screen.ppm")
        if d and img.screendump(ppm):
            w, h, rgb = ppm_read(ppm)
            name = os.path.join(dumps, page.replace("/", "__") + ".png")
            png_write(name, w, h, rgb)
            saved.append(os.path.relpath(name, ROOT))
    return saved


def acid1(img, corpus, out):
    """Acid1 against its reference PNG (a screenshot of another browser):
    the best alignment within a few pixels, then the share of the
    reference's pixels our screen has within a colour tolerance."""
    d, why = img.digest("file:///css21/" + ACID1)
    if not d:
        return False, f"the page did not load: {why}"
    ppm = os.path.join(out, "acid1.ppm")
    if not img.screendump(ppm):
        return False, "no screendump"
    sw, sh, rgb = ppm_read(ppm)
    png_write(os.path.join(out, "acid1.png"), sw, sh, rgb)
    screen = [[tuple(rgb[(y * sw + x) * 3:(y * sw + x) * 3 + 3]) for x in range(sw)] for y in range(sh)]
    rw, rh, ref = png_read(os.path.join(corpus, ACID1_REF))
    tol = 48                                       # per channel: anti-aliasing and font differences

    def close(a, b):
        return abs(a[0] - b[0]) <= tol and abs(a[1] - b[1]) <= tol and abs(a[2] - b[2]) <= tol

    def score(dx, dy, step):
        same = total = 0
        for y in range(0, rh, step):
            sy = y + dy
            for x in range(0, rw, step):
                sx = x + dx
                total += 1
                if 0 <= sx < sw and 0 <= sy < sh and close(screen[sy][sx], ref[y][x]):
                    same += 1
        return same / total
    best = max((score(dx, dy, 4), dx, dy) for dx in range(-8, 9, 2) for dy in range(-8, 9, 2))
    _, dx, dy = best
    fine = max((score(x, y, 1), x, y) for x in (dx - 1, dx, dx + 1) for y in (dy - 1, dy, dy + 1))
    similarity, dx, dy = fine
    # the page's colours, each where the reference has it: a missing box or wrong colour shows here
    colours = {}
    for y in range(rh):
        for x in range(rw):
            colours.setdefault(ref[y][x], []).append((x, y))
    per_colour = []
    for c, pts in sorted(colours.items(), key=lambda kv: -len(kv[1])):
        if len(pts) < 500:
            continue                               # text and edges: covered by the overall score
        hit = sum(1 for x, y in pts if 0 <= x + dx < sw and 0 <= y + dy < sh and close(screen[y + dy][x + dx], c))
        per_colour.append(("#%02x%02x%02x" % c, len(pts), hit / len(pts)))
    return similarity, (dx, dy), per_colour


# ---- main -------------------------------------------------------------------------

def make_manifest(corpus, out):
    src = open(os.path.join(ROOT, "tests/css/reftest.yaml")).read()
    path = os.path.join(out, "reftest.yaml")
    with open(path, "w") as f:
        f.write(src)
        f.write(f"files:\n  /css21/: {corpus}/\n  /fonts/Ahem.ttf: {corpus}/ahem/ahem.ttf\n")
    return path


def main():
    ap = argparse.ArgumentParser(description="CSS 2.1 reftests and Acid1 on the browser image")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--all", action="store_true", help="every test of index.tsv (the default)")
    g.add_argument("--sample", type=int, metavar="N", help="N tests spread evenly over the index")
    g.add_argument("--category", metavar="NAME", help="the tests of one category")
    g.add_argument("--list", metavar="FILE", help="the tests named in FILE, one a line (# comments)")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a test fails (the make test sample)")
    ap.add_argument("--acid1", action="store_true", help="also Acid1 against its reference PNG")
    ap.add_argument("--no-dumps", action="store_true", help="do not save the screens of failed tests")
    args = ap.parse_args()

    data = os.environ.get("ANX_TESTDATA") or os.path.join(os.path.dirname(ROOT), "shared", "testdata")
    corpus = os.path.join(data, "html", "csswg-css21")
    if not os.path.isfile(os.path.join(corpus, "index.tsv")):
        print("skip  css-reftests: ../shared/testdata/html/csswg-css21 is absent "
              "(the test material beside the repository)")
        print("0 passed, 0 failed, 1 skipped")
        return 0
    tests = read_index(corpus)
    names = select(tests, args)
    out = os.path.join(ROOT, "build", "css-reftest")
    os.makedirs(out, exist_ok=True)
    dumps = os.path.join(out, "failed")
    manifest = make_manifest(corpus, out)

    print(f"css: building and booting {os.path.relpath(manifest, ROOT)} ({len(names)} tests)", flush=True)
    build = subprocess.run([os.path.join(ROOT, "gen/anx"), "build", manifest, "-o", os.path.join(out, "image")],
                           cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if build.returncode != 0:
        print(build.stdout[-3000:])
        print("FAIL  css-reftests: the image did not build")
        print("0 passed, 1 failed, 0 skipped")
        return 1
    img = Session(manifest, out)
    started = time.time()
    digests, results = {}, {}
    passed = failed = 0
    try:
        for name in names:
            t = tests[name]
            for page in [name] + t["match"] + t["mismatch"]:
                if page not in digests:
                    digests[page] = img.digest("file:///css21/" + page)
            ok, why = judge(name, t, digests)
            results[name] = ok
            if ok:
                passed += 1
                print(f"ok    {name}", flush=True)
            else:
                failed += 1
                extra = ""
                if not args.no_dumps:
                    saved = save_failure(img, name, t, os.path.join(dumps, t["category"]))
                    if saved:
                        extra = f" [screens: {os.path.dirname(saved[0])}/]"
                print(f"FAIL  {name}: {why}{extra}", flush=True)
        if args.acid1:
            r = acid1(img, corpus, out)
            if r[0] is False:
                print(f"FAIL  acid1: {r[1]}")
                failed += 1
            else:
                similarity, (dx, dy), per_colour = r
                print(f"acid1: {similarity * 100:.1f}% of the reference's pixels match within 48 per channel "
                      f"(screen offset {dx},{dy}); screen: build/css-reftest/acid1.png")
                for c, n, share in per_colour:
                    print(f"acid1:   {c} ({n} px in the reference): {share * 100:.1f}% in place")
                good = similarity >= 0.80 and all(share >= 0.70 for _, _, share in per_colour)
                print(f"{'ok   ' if good else 'FAIL '} acid1 (needs >= 80% overall and >= 70% of each large colour area)")
                passed += good
                failed += not good
    except RuntimeError as e:
        print(f"FAIL  css-reftests: {e} ({os.path.relpath(out, ROOT)}/console-{img.boots}.log)")
        failed += 1
    img.close()
    elapsed = time.time() - started

    print()
    print(f"{'category':24} {'passed':>7} {'total':>6} {'%':>6}")
    cats = {}
    for name, ok in results.items():
        c = cats.setdefault(tests[name]["category"], [0, 0])
        c[0] += ok
        c[1] += 1
    for c in sorted(cats):
        p, n = cats[c]
        print(f"{c:24} {p:7} {n:6} {100 * p / n:6.1f}")
    n = len(results)
    if n:
        p = sum(results.values())
        print(f"{'all':24} {p:7} {n:6} {100 * p / n:6.1f}")
        print(f"css: pass rate {100 * p / n:.1f}% of {n} tests, {len(digests)} pages in {elapsed:.0f} s, "
              f"{img.boots} boots")
    print(f"{passed} passed, {failed} failed, 0 skipped")
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
