"""The Python peers of the kernels benchmark, driven by bench/kernels/pythonPeer.ts.

Run as `python peers.py cpython` (plain CPython ints: math.factorial, our kernel's doubling for
Fibonacci, the built-in ** for powers) or `python peers.py gmpy2` (GMP through gmpy2: fac, fib,
mpz ** int). Reads one JSON request per line on stdin and answers one JSON line on stdout:

  {"operation": "factorial", "n": 100000, "convert": true, "minSeconds": 0.3}
  -> {"computeSeconds": ..., "convertSeconds": ... or null, "digits": ..., "sha256": ...}

The first line it writes describes the interpreter and library versions.
"""

import hashlib
import json
import math
import platform
import sys
import time

# Python 3.11 refuses to write integers over 4300 digits unless told otherwise.
if hasattr(sys, "set_int_max_str_digits"):
    sys.set_int_max_str_digits(0)


def fibonacci(n):
    """Doubling with two squarings per bit on Python ints: the same algorithm as our TypeScript
    kernel (subgraphs/math/src/kernels/fibonacci.ts, after GMP's mpz_fib_ui)."""
    if n < 2:
        return n
    bits = bin(n)[2:]
    current, previous, k_is_odd = 1, 0, True  # F(k), F(k-1) for k = 1
    for bit in bits[1:-1]:
        current_squared, previous_squared = current * current, previous * previous
        following = 4 * current_squared - previous_squared + (-2 if k_is_odd else 2)  # F(2k+1)
        before = current_squared + previous_squared  # F(2k-1)
        if bit == "1":
            current, previous = following, following - before
        else:
            current, previous = following - before, before
        k_is_odd = bit == "1"
    if bits[-1] == "0":
        return current * (current + 2 * previous)
    return (2 * current + previous) * (2 * current - previous) + (-2 if k_is_odd else 2)


def cpython_kernels():
    return {
        "factorial": math.factorial,
        "fibonacci": fibonacci,
        "power": lambda base, exponent: base**exponent,
        "convert": str,
        "version": f"CPython {platform.python_version()}",
    }


def gmpy2_kernels():
    import gmpy2

    return {
        "factorial": gmpy2.fac,
        "fibonacci": gmpy2.fib,
        "power": lambda base, exponent: gmpy2.mpz(base) ** exponent,
        "convert": lambda value: value.digits(),
        "version": f"gmpy2 {gmpy2.version()} with {gmpy2.mp_version()}"
        f" (CPython {platform.python_version()})",
    }


def timed(work, min_seconds, max_runs=50):
    """Fastest of repeated runs (at least one, more while the total is under min_seconds)."""
    times = []
    value = None
    while True:
        started = time.perf_counter()
        value = work()
        times.append(time.perf_counter() - started)
        if sum(times) >= min_seconds or len(times) >= max_runs:
            break
    return min(times), value


def answer(kernels, request):
    operation = request["operation"]
    if operation == "power":
        base, exponent = request["base"], request["exponent"]
        work = lambda: kernels["power"](base, exponent)
    else:
        n = request["n"]
        work = lambda: kernels[operation](n)
    min_seconds = request["minSeconds"]
    compute_seconds, value = timed(work, min_seconds)
    if not request["convert"]:
        return {"computeSeconds": compute_seconds, "convertSeconds": None}
    convert_seconds, text = timed(lambda: kernels["convert"](value), min_seconds)
    return {
        "computeSeconds": compute_seconds,
        "convertSeconds": convert_seconds,
        "digits": len(text),
        "sha256": hashlib.sha256(text.encode("ascii")).hexdigest(),
    }


def main():
    kernels = gmpy2_kernels() if sys.argv[1:] == ["gmpy2"] else cpython_kernels()
    print(json.dumps({"version": kernels["version"]}), flush=True)
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(answer(kernels, json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
