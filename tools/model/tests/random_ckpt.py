#!/usr/bin/env python3
"""A llama2.c checkpoint of seeded random weights at shapes the k-quants
take (dim 256, hidden 512: rows of 256 and 512; the bundled model's 128 is
not a multiple of 256), 2 layers, grouped-query heads 4/2, an output matrix
of its own, and the bundled tokenizer's 1024 tokens.

The output rows of tokens 0..258 (<unk>, <s>, </s> and the 256 byte
tokens) are zero, so greedy text is made of the tokenizer's word pieces
(printable, and no end-of-text token: a run lasts its full length).

Usage: random_ckpt.py OUT.bin"""
import array
import random
import struct
import sys

DIM, HIDDEN, LAYERS, HEADS, KV_HEADS, VOCAB, SEQ = 256, 512, 2, 4, 2, 1024, 64
HS = DIM // HEADS
rnd = random.Random(7)


def mat(n, scale):
    return array.array('f', (rnd.uniform(-scale, scale) for _ in range(n)))


def const(n, v):
    return array.array('f', [v] * n)


out = mat(VOCAB * DIM, 0.15)
for i in range(259 * DIM):
    out[i] = 0.0
kv = LAYERS * DIM * KV_HEADS * HS
with open(sys.argv[1], 'wb') as f:
    # a negative vocabulary size: the output matrix follows the weights
    f.write(struct.pack('<7i', DIM, HIDDEN, LAYERS, HEADS, KV_HEADS, -VOCAB, SEQ))
    for a in (mat(VOCAB * DIM, 1.0), const(LAYERS * DIM, 1.0), mat(LAYERS * DIM * DIM, 0.1),
              mat(kv, 0.1), mat(kv, 0.1), mat(LAYERS * DIM * DIM, 0.06), const(LAYERS * DIM, 1.0),
              mat(LAYERS * HIDDEN * DIM, 0.1), mat(LAYERS * DIM * HIDDEN, 0.05),
              mat(LAYERS * HIDDEN * DIM, 0.1), const(DIM, 1.0),
              const(SEQ * HS, 0.0),          # llama2.c's legacy RoPE tables, unused
              out):
        a.tofile(f)
