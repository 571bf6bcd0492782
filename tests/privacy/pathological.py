"""Feeds every content pattern of the gate (and the names check) the inputs that make
backtracking patterns explode; run as ``python -m tests.privacy.pathological``
(tests/privacy/test_patterns.py runs it in a subprocess with a generous timeout).

Two batteries over an alphabet of the characters the patterns treat specially:

- every prefix character, then every pair of characters repeated 200 times, then a
  character no pattern expects (``[`` + ``()()()...``, say): an ambiguous repeat
  (two ways to match each pair) needs 2**200 steps here and never finishes, so the
  subprocess's timeout fails the test;
- every pair repeated 20,000 times (40,000 characters): a pattern that rescans the
  rest of the text from each position needs about 10**9 steps on some of them.
  Linear patterns take at most a few hundred milliseconds per input on a loaded
  2-core machine; a quadratic one took 27 s (the PDF literal pattern before it was
  made to end at the end of the data). Any input over :data:`SLOW_INPUT_SECONDS`
  fails the run, a bound 20 times what a linear pattern needs.

It prints each pattern's slowest inputs, so a failure says where to look.
"""

from __future__ import annotations

import itertools
import sys
import time

from lcanalysis.privacy import CONTENT_PATTERNS
from lcanalysis.privacy.rules import Names

ALPHABET = list("()[]\\<>09aFxTJ.:-+@/= \n") + ["\u00e5", "\u2011"]
SLOW_INPUT_SECONDS = 5.0


def names_check() -> Names:
    """The names check of a scan with 2,000 participants, many sharing first names."""
    first = ["Anna", "Erik", "Eva", "Lars", "Karin", "Nils", "Sara", "Johan", "Maria", "Per"]
    return Names(f"{first[i % 10]} {'-'.join(['Ek'] * (1 + i % 3))} Berg{i}" for i in range(2000))


def inputs(binary: bool):
    chars = [c for c in ALPHABET if not binary or ord(c) < 256]
    if not binary:  # the names check's own words
        chars += ["Anna ", "Ek-", "Berg1"]

    def encode(text: str):
        return text.encode("latin-1") if binary else text

    for prefix, (a, b) in itertools.product([""] + chars, itertools.product(chars, repeat=2)):
        yield f"{prefix!r} + {a + b!r} * 200", encode(prefix + (a + b) * 200 + "\x07")
    for a, b in itertools.product(chars, repeat=2):
        yield f"{a + b!r} * 20000", encode((a + b) * 20_000)


def main() -> int:
    checks = {name: (pattern.finditer, isinstance(pattern.pattern, bytes))
              for name, pattern in CONTENT_PATTERNS.items()}
    checks["names"] = (names_check().find, False)
    slow = []
    for name, (run, binary) in checks.items():
        times = []
        started = time.perf_counter()
        for label, text in inputs(binary):
            begin = time.perf_counter()
            for _ in run(text):
                pass
            times.append((time.perf_counter() - begin, label))
        times.sort(reverse=True)
        slow += [(name, label, t) for t, label in times if t > SLOW_INPUT_SECONDS]
        print(f"{name}: {time.perf_counter() - started:.1f} s; slowest "
              + ", ".join(f"{label} {t * 1000:.0f} ms" for t, label in times[:2]), flush=True)
    for name, label, seconds in slow:
        print(f"SLOW: {name} on {label}: {seconds:.1f} s", flush=True)
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
