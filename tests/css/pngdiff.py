#!/usr/bin/env python3
"""Where two screens of the CSS reftest run differ (docs/browser.md, "Conformance").

    tests/css/pngdiff.py A.png B.png [OUT.png]

Prints the number of differing pixels, their bounding box, and the few most
common (colour in A -> colour in B) pairs, so a failure can be read without an
image viewer; with OUT.png, writes B with the differing pixels in magenta.
Exit status 0 when the screens are the same, 1 when they differ.
"""
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reftest import png_read, png_write  # noqa: E402


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.strip().splitlines()[2].strip())
    wa, ha, a = png_read(sys.argv[1])
    wb, hb, b = png_read(sys.argv[2])
    if (wa, ha) != (wb, hb):
        print(f"sizes differ: {wa}x{ha} and {wb}x{hb}")
        return 1
    diff, pairs = [], collections.Counter()
    x0 = y0 = 1 << 30
    x1 = y1 = -1
    for y in range(ha):
        for x in range(wa):
            if a[y][x] != b[y][x]:
                diff.append((x, y))
                pairs[(a[y][x], b[y][x])] += 1
                x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
    if not diff:
        print("same")
        return 0
    print(f"{len(diff)} pixels differ, in x {x0}..{x1}, y {y0}..{y1}")
    for (ca, cb), n in pairs.most_common(6):
        print(f"  {n:7d}  #{bytes(ca).hex()} -> #{bytes(cb).hex()}")
    if len(sys.argv) == 4:
        out = [list(row) for row in b]
        for x, y in diff:
            out[y][x] = (255, 0, 255)
        png_write(sys.argv[3], wb, hb, b"".join(bytes(p) for row in out for p in row))
    return 1


if __name__ == "__main__":
    sys.exit(main())
