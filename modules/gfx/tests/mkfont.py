#!/usr/bin/env python3
"""Writes tiny.ttf, the smallest useful TrueType font, for gfx's font tests
and as the fuzzer's seed: glyph 0 a box (.notdef), glyph 1 a triangle with
an off-curve point ('A'), glyph 2 a composite of glyph 1 moved right ('B'),
an empty glyph 3 (' '); cmap format 4. Usage: mkfont.py OUT.ttf"""
import struct, sys

def simple(contours, xs_ys_on):
    """contours: end point indices; points: (x, y, on) absolute."""
    xmin = min(p[0] for p in xs_ys_on); xmax = max(p[0] for p in xs_ys_on)
    ymin = min(p[1] for p in xs_ys_on); ymax = max(p[1] for p in xs_ys_on)
    out = struct.pack(">hhhhh", len(contours), xmin, ymin, xmax, ymax)
    out += b"".join(struct.pack(">H", e) for e in contours)
    out += struct.pack(">H", 0)                      # no instructions
    flags = bytes(1 if on else 0 for _, _, on in xs_ys_on)   # all coordinates as words
    out += flags
    px = py = 0
    xs = b""; ys = b""
    for x, y, _ in xs_ys_on:
        xs += struct.pack(">h", x - px); ys += struct.pack(">h", y - py); px, py = x, y
    return out + xs + ys

def pad4(b):
    return b + b"\0" * (-len(b) % 4)

g0 = simple([3], [(100, 0, 1), (100, 700, 1), (500, 700, 1), (500, 0, 1)])
g1 = simple([2], [(50, 0, 1), (300, 1400, 0), (550, 0, 1)])
g2 = struct.pack(">hhhhh", -1, 350, 0, 850, 700) + struct.pack(">HHhh", 0x0003, 1, 300, 0)   # ARGS_ARE_XY, words
g2 = pad4(g2)
glyphs = [pad4(g0), pad4(g1), g2, b""]
glyf = b"".join(glyphs)
offs = [0]
for g in glyphs:
    offs.append(offs[-1] + len(g))
loca = b"".join(struct.pack(">I", o) for o in offs)      # long format
n = len(glyphs)
upem = 1000
head = struct.pack(">IIIIHHQQhhhhHHhhh", 0x00010000, 0x00010000, 0, 0x5F0F3CF5, 0, upem, 0, 0,
                   0, 0, 850, 1400, 0, 8, 2, 1, 0)
hhea = struct.pack(">IhhhHhhhhhhhhhhhH", 0x00010000, 800, -200, 0, 600, 0, 0, 600, 1, 0, 0, 0, 0, 0, 0, 0, n)
maxp = struct.pack(">IH", 0x00005000, n)
hmtx = b"".join(struct.pack(">Hh", 600, 0) for _ in range(n))
# cmap format 4: 'A'->1, 'B'->2 by delta, ' '->3 through the glyph id array, then 0xFFFF
segs = [(0x20, 0x20, 0, "array"), (0x41, 0x42, 1 - 0x41, None), (0xFFFF, 0xFFFF, 1, None)]
seg = len(segs)
p2 = 1
while p2 * 2 <= seg:
    p2 *= 2
log2 = p2.bit_length() - 1
ends = b"".join(struct.pack(">H", s[1]) for s in segs)
starts = b"".join(struct.pack(">H", s[0]) for s in segs)
deltas = b"".join(struct.pack(">h", s[2] if s[2] < 32768 else s[2] - 65536) for s in segs)
# the idRangeOffset of segment 0 points at the glyph id array right after the offsets
ros = b"".join(struct.pack(">H", (2 * seg - 2 * i) if s[3] else 0) for i, s in enumerate(segs))
ids = struct.pack(">H", 3)
sub = struct.pack(">HHHHHHH", 4, 0, 0, 2 * seg, 2 * p2, log2, 2 * seg - 2 * p2) + ends + b"\0\0" + starts + deltas + ros + ids
sub = sub[:2] + struct.pack(">H", len(sub)) + sub[4:]
cmap = struct.pack(">HHHHI", 0, 1, 3, 1, 12) + sub
tables = {b"cmap": cmap, b"glyf": glyf, b"head": head, b"hhea": hhea, b"hmtx": hmtx, b"loca": loca, b"maxp": maxp}
tags = sorted(tables)
out = struct.pack(">IHHHH", 0x00010000, len(tags), 0, 0, 0)
off = 12 + 16 * len(tags)
body = b""
for t in tags:
    data = tables[t]
    out += t + struct.pack(">III", 0, off + len(body), len(data))
    body += pad4(data)
open(sys.argv[1], "wb").write(out + body)
