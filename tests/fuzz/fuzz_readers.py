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

import dedupe.clean.normalize
import dedupe.clean.repeats
import dedupe.clean.residue
import dedupe.io.decode
import dedupe.io.jsonl
from dedupe.document import Document, Removal


def instrument(module: types.ModuleType) -> None:
    """Instrument the module's plain Python functions for coverage. Numba-compiled kernels are left alone:
    atheris rewrites bytecode, which numba cannot compile (atheris.instrument_imports breaks them)."""
    for name, value in vars(module).items():
        if isinstance(value, types.FunctionType) and value.__module__ == module.__name__:
            setattr(module, name, atheris.instrument_func(value))


for _module in (dedupe.io.decode, dedupe.io.jsonl, dedupe.clean.normalize, dedupe.clean.residue, dedupe.clean.repeats):
    instrument(_module)

decode = dedupe.io.decode.decode
read_jsonl = dedupe.io.jsonl.read_jsonl
clean = dedupe.clean.normalize.clean
repair = dedupe.clean.repeats.repair


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
