#!/usr/bin/env python3
"""Writes tests/css/sample.txt (make test's CSS 2.1 reftests) from the output of a full run.

    make css-reftests | tee /tmp/css.log
    tests/css/take-sample.py /tmp/css.log [--per-category N] [--out FILE]

The sample is the first N (default 3) tests of each category of index.tsv
that passed in that run, in index order, plus every passing test that has a
mismatch reference (a runner that printed one digest for every screen fails
those). Only tests the log says "ok" for are listed; a log that is not of a
full run (no summary line, or fewer tests than the index) is refused, so a
partial run cannot shrink the sample silently.
"""
import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.environ.get("ANX_TESTDATA") or os.path.join(os.path.dirname(ROOT), "shared", "testdata")
CORPUS = os.path.join(DATA, "html", "csswg-css21")

HEADER = """\
# make test's CSS 2.1 reftests (tests/css/sample.sh): up to three tests of each category of
# ../shared/testdata/html/csswg-css21/index.tsv that pass today, plus every test with a mismatch
# reference that passes (its digest must differ from that reference's: a runner that printed
# one digest for every screen fails them). Taken from a full run (make css-reftests) by
# tests/css/take-sample.py; a test here that fails is a regression.
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("log", help="the output of make css-reftests (tests/css/run.sh --all)")
    ap.add_argument("--per-category", type=int, default=3, metavar="N")
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "css", "sample.txt"))
    args = ap.parse_args()

    index = os.path.join(CORPUS, "index.tsv")
    if not os.path.exists(index):
        sys.exit(f"take-sample: {index} is missing: the sample is taken against the corpus's index")
    order, category, mismatch = [], {}, set()
    with open(index) as f:
        next(f)
        for line in f:
            test, _ref, rel, cat = line.rstrip("\n").split("\t")[:4]
            if test not in category:
                order.append(test)
                category[test] = cat
            if rel == "mismatch":
                mismatch.add(test)

    passed, failed, summary = set(), set(), False
    with open(args.log, errors="replace") as f:
        for line in f:
            m = re.match(r"^(ok|FAIL)\s+(\S+?)(:|$)", line.rstrip("\n"))
            if m and m.group(2) in category:
                (passed if m.group(1) == "ok" else failed).add(m.group(2))
            if re.match(r"^\d+ passed, \d+ failed", line):
                summary = True
    seen = len(passed | failed)
    if not summary or seen < len(category):
        sys.exit(f"take-sample: {args.log}: {seen} of the index's {len(category)} tests, "
                 f"{'with' if summary else 'without'} a summary line: give the log of a full run "
                 "(make css-reftests)")

    chosen, per = [], {}
    for test in order:
        if test not in passed:
            continue
        cat = category[test]
        if per.get(cat, 0) < args.per_category or test in mismatch:
            chosen.append(test)
            per[cat] = per.get(cat, 0) + 1
    with open(args.out, "w") as f:
        f.write(HEADER)
        f.writelines(t + "\n" for t in chosen)
    print(f"take-sample: {len(chosen)} tests ({len(per)} categories, "
          f"{sum(1 for t in chosen if t in mismatch)} with a mismatch reference) in "
          f"{os.path.relpath(args.out, ROOT)}")


if __name__ == "__main__":
    main()
