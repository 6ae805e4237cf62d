"""The peers of the roots benchmark: sqrt(2) to N significant digits with MPFR (through gmpy2)
and with CPython's decimal module. Run as `python peers.py DIGITS MIN_SECONDS`; prints one JSON
line per library with the fastest compute and convert times and the sha256 of the digits.
"""

import decimal
import hashlib
import json
import platform
import sys
import time

if hasattr(sys, "set_int_max_str_digits"):
    sys.set_int_max_str_digits(0)


def timed(work, min_seconds, max_runs=20):
    times, value = [], None
    while True:
        started = time.perf_counter()
        value = work()
        times.append(time.perf_counter() - started)
        if sum(times) >= min_seconds or len(times) >= max_runs:
            return min(times), value


def digest(digits):
    return hashlib.sha256(digits.encode()).hexdigest()


def mpfr(digits, min_seconds):
    import gmpy2

    # Enough bits that the binary value rounds to the right decimal digits; digits() then rounds
    # to nearest, as MPFR rounds.
    gmpy2.get_context().precision = int(digits * 3.3219280948873626) + 64
    compute, root = timed(lambda: gmpy2.sqrt(gmpy2.mpfr(2)), min_seconds)
    convert, text = timed(lambda: root.digits(10, digits)[0], min_seconds)
    return {
        "library": f"MPFR {gmpy2.mpfr_version()[5:]} via gmpy2 {gmpy2.version()}",
        "computeSeconds": compute,
        "convertSeconds": convert,
        "sha256": digest(text),
    }


def cpython_decimal(digits, min_seconds):
    context = decimal.Context(prec=digits, rounding=decimal.ROUND_HALF_EVEN)
    compute, root = timed(lambda: context.sqrt(decimal.Decimal(2)), min_seconds)
    convert, text = timed(lambda: str(root), min_seconds)
    return {
        "library": f"CPython {platform.python_version()} decimal (libmpdec {decimal.__libmpdec_version__})",
        "computeSeconds": compute,
        "convertSeconds": convert,
        "sha256": digest(text.replace(".", "")),
    }


if __name__ == "__main__":
    digits, min_seconds = int(sys.argv[1]), float(sys.argv[2])
    for peer in (mpfr, cpython_decimal):
        print(json.dumps(peer(digits, min_seconds)), flush=True)
