"""Coverage-guided fuzzing of the readers and the in-place stages with atheris (not part of `make test`).

Each input is treated three ways: as a JSON Lines stream, as a text file's bytes, and (decoded) as text
for cleaning and repeat repair. The harness checks the invariants that must hold for any bytes at all:
no exception escapes, every JSON line becomes exactly one document or one rejection, cleaning is
idempotent, and repeat repair only deletes.

    pip install atheris
    mkdir -p /tmp/fuzz-corpus   # libFuzzer adds the inputs it finds to the first folder
    python tests/fuzz/fuzz_readers.py -max_total_time=300 -rss_limit_mb=4096 /tmp/fuzz-corpus tests/fuzz/corpus

Findings and the number of inputs tried are recorded in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import io
import sys
import types

import atheris

import dedupe.io.decode
import dedupe.io.jsonl

# (`from` imports keep the harness independent of what the package __init__ re-exports.)
from dedupe.cleaning import normalize, repeats, residue
from dedupe.cleaning.repeats import keys as repeat_keys
from dedupe.cleaning.repeats import passes as repeat_passes
from dedupe.cleaning.repeats import precheck as repeat_precheck
from dedupe.cleaning.repeats import spans as repeat_spans
from dedupe.document import Document, Removal


def instrument(modules: tuple[types.ModuleType, ...]) -> None:
    """Instrument the modules' plain Python functions and methods for coverage, also where one module
    imported another's function by name. Numba-compiled kernels are left alone (the compiled modules of
    the repeats package are not listed): atheris rewrites bytecode, which numba cannot compile
    (atheris.instrument_imports breaks them)."""
    done: dict[types.FunctionType, types.FunctionType] = {}
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, types.FunctionType) and value.__module__ == module.__name__:
                done[value] = atheris.instrument_func(value)
            elif isinstance(value, type) and value.__module__ == module.__name__:
                for name, method in vars(value).items():
                    if isinstance(method, types.FunctionType):
                        setattr(value, name, atheris.instrument_func(method))
    for module in modules:
        for name, value in list(vars(module).items()):
            if isinstance(value, types.FunctionType) and value in done:
                setattr(module, name, done[value])


instrument(
    (dedupe.io.decode, dedupe.io.jsonl, normalize, residue, repeats)
    + (repeat_keys, repeat_passes, repeat_precheck, repeat_spans)
)

decode = dedupe.io.decode.decode
read_jsonl = dedupe.io.jsonl.read_jsonl
clean = normalize.clean
repair = repeats.repair


def check_only_deletes(original: str, repaired: str) -> None:
    """``repaired`` must be ``original`` with some spans removed (a subsequence that keeps order)."""
    it = iter(original)
    if not all(ch in it for ch in repaired):
        raise AssertionError("repeat repair added or reordered text")


def test_one(data: bytes) -> None:
    items = list(read_jsonl(io.BytesIO(data), name="fuzz"))
    records = sum(1 for line in data.split(b"\n") if line.strip())
    if len(items) != records or not all(isinstance(i, (Document, Removal)) for i in items):
        raise AssertionError(f"{records} records gave {len(items)} items")
    decoded = decode(data, "replace")
    if decoded.text is None:
        return
    once = clean(decoded.text)
    if clean(once) != once:
        raise AssertionError("cleaning is not idempotent")
    check_only_deletes(once, repair(once).text)


def main() -> None:
    atheris.Setup(sys.argv, test_one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
