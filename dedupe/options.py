"""A run's settings, in two kinds: what decides the result, and how the run is executed.

:class:`Options` decides what is kept, removed and rejected and what every output holds; ``--resume`` and
saved indexes compare it. :class:`Execution` only says how the work is done (processes, batch size, the
temporary folder, stream or batch mode where both give the same result); two runs that differ only in it
write the same files, so a resumed run may change it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from dedupe.cleaning.boilerplate import DEFAULT_MIN_DOCS
from dedupe.cleaning.normalize import RULES
from dedupe.cleaning.repetition import GOPHER_LIMITS
from dedupe.near.verify import check_verify

KEEP_POLICIES = ("first", "longest")
MODES = ("auto", "stream", "batch")


@dataclass(frozen=True)
class Options:
    """Everything that decides a run's result; the report records it so a run can be reproduced."""

    threshold: float = 0.8
    ngram: int = 5
    num_perm: int = 128
    seed: int = 1
    bands: int | None = None
    rows: int | None = None
    shingle: str = "word"
    verify: str = "auto"
    keep: str = "first"
    keep_by: str | None = None
    drop_all: bool = False
    normalize: bool = True
    skip_rules: tuple[str, ...] = ()
    straight_quotes: bool = False
    unicode_form: str = "NFC"
    repeats: bool = True
    repetition_filter: bool = False
    max_repetition: tuple[tuple[str, float], ...] = ()
    exact: bool = True
    near: bool = True
    boilerplate: bool = False
    boilerplate_min_docs: int = DEFAULT_MIN_DOCS

    def __post_init__(self) -> None:
        check_verify(self.verify)
        if self.keep not in KEEP_POLICIES:
            raise ValueError(f"keep must be one of {', '.join(KEEP_POLICIES)}, got {self.keep!r}")
        if not 0.0 < self.threshold < 1.0:
            raise ValueError(f"threshold must be between 0 and 1, got {self.threshold}")
        bad_stats = {name for name, _ in self.max_repetition} - set(GOPHER_LIMITS)
        if bad_stats:
            raise ValueError(
                f"unknown repetition statistic(s) {sorted(bad_stats)}; they are {', '.join(GOPHER_LIMITS)}"
            )
        if self.boilerplate_min_docs < 2:
            raise ValueError(f"boilerplate_min_docs must be at least 2, got {self.boilerplate_min_docs}")
        unknown = set(self.skip_rules) - set(RULES)
        if unknown:
            raise ValueError(f"unknown rule(s) {sorted(unknown)}; rules are {', '.join(RULES)}")

    @property
    def keeps_first(self) -> bool:
        """Whether each document can be decided as it arrives: other policies must see every document first."""
        return self.keep == "first" and self.keep_by is None and not self.drop_all

    @property
    def repetition_limits(self) -> dict[str, float] | None:
        """The Gopher limits a document must stay within after repair, or None when the filter is off."""
        if not (self.repetition_filter or self.max_repetition):
            return None
        return {**GOPHER_LIMITS, **dict(self.max_repetition)}

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["skip_rules"] = list(self.skip_rules)
        out["max_repetition"] = [list(pair) for pair in self.max_repetition]
        if not self.boilerplate:  # a run without it records what runs before the option existed recorded
            del out["boilerplate"], out["boilerplate_min_docs"]
        return out


@dataclass(frozen=True)
class Execution:
    """How a run is executed. Nothing here changes what a run writes (the golden-output tests hold every
    engine to that), so none of it is checked when a run is resumed."""

    jobs: int = 1
    batch_size: int = 256
    mode: str = "auto"
    temp_dir: str | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")

    def streaming(self, opts: Options) -> bool:
        """Stream mode decides each document as it arrives (keep first only); batch mode spills them and
        decides in the keep policy's order. ``mode`` forces one; stream is refused where it can't work."""
        if self.mode == "stream" and not opts.keeps_first:
            raise ValueError("stream mode keeps the first document only; other keep policies need batch mode")
        return opts.keeps_first if self.mode == "auto" else self.mode == "stream"


# the order of the report's "options", as it was when both kinds were one class
_REPORT_ORDER = (
    *("threshold", "ngram", "num_perm", "seed", "bands", "rows", "shingle", "verify", "keep", "keep_by"),
    *("drop_all", "mode", "temp_dir", "normalize", "skip_rules", "straight_quotes", "unicode_form", "repeats"),
    *("repetition_filter", "max_repetition", "exact", "near", "jobs", "batch_size"),
)


def report_options(opts: Options, execution: Execution) -> dict[str, Any]:
    """Both kinds of settings, for the report."""
    values = {**opts.to_json(), **asdict(execution)}
    return {key: values[key] for key in _REPORT_ORDER}


def split(settings: dict[str, Any]) -> tuple[Options, Execution]:
    """Keyword settings of either kind (as the Python API takes them) sorted into the two."""
    names = {f.name for f in fields(Execution)}
    opts = Options(**{k: v for k, v in settings.items() if k not in names})
    execution = Execution(**{k: v for k, v in settings.items() if k in names})
    execution.streaming(opts)  # refuses stream mode with a policy that needs every document first
    return opts, execution


DEFAULT_EXECUTION = Execution()
"""One process, the default batch size, the system's temporary folder: what a library call gets."""
