#!/usr/bin/env python3
# Generates math_pow_table.h's table (python3 math_pow_table.py): the
# logarithms to 60 decimal digits with the decimal module.
from decimal import Decimal as D, getcontext
import struct
getcontext().prec = 60
def asd(u): return struct.unpack('<d', struct.pack('<Q', u))[0]
OFF = 0x3fe6955500000000
print("static const struct { double invc, logc_hi, logc_lo; } tab[128] = {")
for i in range(128):
    lo, hi = asd(OFF + (i << 45)), asd(OFF + ((i + 1) << 45))
    invc = 1.0 if lo <= 1.0 < hi else float(2 / (D(lo) + D(hi)))
    l = -D(invc).ln()
    row = (invc, float(l), float(l - D(float(l))))
    print("    {%s, %s, %s}," % tuple(float.hex(v) if v != 0 else "0.0" for v in row))
print("};")
