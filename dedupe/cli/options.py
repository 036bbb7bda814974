"""The options several commands share, and the typed settings their parsed values become.

One definition per option keeps its spelling, default and help the same in every command that takes it.
Each command turns what click parsed into typed settings at once (:func:`settings`, :func:`input_format`,
:func:`cleaning`), so the code below the command never looks values up by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import click

from dedupe.cleaning import normalize as normalize_mod
from dedupe.cleaning.boilerplate import DEFAULT_MIN_DOCS
from dedupe.cli.group import fail
from dedupe.engines.parallel import default_jobs
from dedupe.io import InputError, InputFormat, Source
from dedupe.io.decode import DEFAULT_ENCODING_POLICY, ENCODING_POLICIES
from dedupe.near.verify import VERIFY_MODES
from dedupe.options import KEEP_POLICIES, MODES, Execution, Options, split

_RULES_HELP = "; ".join(f"{name}: {desc}" for name, desc in normalize_mod.RULE_DESCRIPTIONS.items())


def cleaning_options(fn):
    """Which in-place repairs to apply: every command that cleans text takes them, so that clean, explain,
    pairs and the rest show what a run with the same options would do."""
    fn = click.option(
        "--skip-rule",
        "skip_rules",
        multiple=True,
        type=click.Choice(normalize_mod.RULES),
        help=f"Switch one normalisation rule off (repeatable). Rules: {_RULES_HELP}.",
    )(fn)
    fn = click.option("--straight-quotes", is_flag=True, help="Turn typographic quotes into ASCII ones.")(fn)
    fn = click.option(
        "--unicode-form",
        type=click.Choice(["NFC", "NFKC"]),
        default="NFC",
        show_default=True,
        help="Unicode normal form of the output.",
    )(fn)
    fn = click.option("--no-normalize", is_flag=True, help="Skip the normalisation stage entirely.")(fn)
    fn = click.option(
        "--no-repeats", is_flag=True, help="Keep blocks repeated inside a document (skip the repeat repair)."
    )(fn)
    return fn


def with_options(options: list):
    """Decorate with a list of options, listed in --help in the list's order."""

    def decorate(fn):
        for option in reversed(options):
            fn = option(fn)
        return fn

    return decorate


SIGNATURE_OPTIONS = [
    click.option(
        "--threshold",
        type=click.FloatRange(0, 1, min_open=True, max_open=True),
        default=0.8,
        show_default=True,
        help="Jaccard similarity at or above which a document is a near-duplicate.",
    ),
    click.option(
        "--ngram",
        type=click.IntRange(1, 64),
        default=5,
        show_default=True,
        help="Shingle size in words (characters with --shingle char).",
    ),
    click.option(
        "--num-perm",
        type=click.IntRange(8, 2048),
        default=128,
        show_default=True,
        help="MinHash permutations: more is more accurate and slower.",
    ),
    click.option(
        "--bands",
        type=click.IntRange(1),
        default=None,
        help="LSH bands (default: the fewest that make pairs at --threshold candidates 99%% of the time).",
    ),
    click.option("--rows", type=click.IntRange(1), default=None, help="LSH rows per band (default: from --threshold)."),
    click.option("--seed", type=int, default=1, show_default=True, help="MinHash seed (datasketch-compatible)."),
    click.option(
        "--shingle",
        type=click.Choice(["word", "char"]),
        default="word",
        show_default=True,
        help="Word n-grams (a character of a script written without spaces, such as Chinese, Japanese or Thai, "
        "counts as a word), or character n-grams of all text.",
    ),
    click.option(
        "--verify",
        type=click.Choice(VERIFY_MODES),
        default="auto",
        show_default=True,
        help="How a candidate pair is judged: 'auto' trusts the MinHash estimate when it is clearly above or "
        "below the threshold and computes the exact Jaccard in between; 'exact' always computes it; 'none' uses "
        "the estimate alone (no kept texts are stored).",
    ),
]

INPUT_OPTIONS = [
    click.option("--text-field", default="text", show_default=True, help="JSON Lines field holding the text."),
    click.option(
        "--id-field",
        default="id",
        show_default=True,
        help="JSON Lines field holding the id (records without one get FILE:LINE).",
    ),
    click.option(
        "--encoding-errors",
        type=click.Choice(ENCODING_POLICIES),
        default=DEFAULT_ENCODING_POLICY,
        show_default=True,
        help="Input that is not UTF-8: 'detect' decodes it as cp1252 or Latin-1 when that gives text without "
        "control characters and rejects it otherwise; 'reject' rejects it; 'replace' keeps it with U+FFFD for "
        "each bad byte. Rejections and decodings are recorded.",
    ),
    click.option(
        "--glob",
        "pattern",
        default="**/*",
        show_default=True,
        help="Which files of an INPUT folder to read (hidden files are always skipped).",
    ),
    click.option(
        "--jobs",
        "-j",
        type=click.IntRange(1),
        default=None,
        help="Processes for cleaning and signatures (default: all cores). Results do not depend on it.",
    ),
    click.option(
        "--temp-dir",
        type=click.Path(file_okay=False),
        default=None,
        help="Where batch mode and exact checks keep their temporary files (default: the system's).",
    ),
    click.option("--no-exact", is_flag=True, help="Skip the exact-duplicate stage."),
    click.option("--no-near", is_flag=True, help="Skip the near-duplicate stage."),
]


def _stat_limit(ctx, param, values):
    pairs = []
    for value in values:
        name, sep, number = value.partition("=")
        try:
            pairs.append((name.strip(), float(number)))
        except ValueError:
            raise click.BadParameter(f"{value!r} is not NAME=VALUE (e.g. dup_para_frac=0.4)") from None
        if not sep:
            raise click.BadParameter(f"{value!r} is not NAME=VALUE (e.g. dup_para_frac=0.4)")
    return tuple(pairs)


REPETITION_OPTIONS = [
    click.option(
        "--repetition-filter",
        is_flag=True,
        help="Remove documents that are still too repetitive after repeat repair, by the Gopher repetition "
        "statistics and limits (duplicate line/paragraph fractions, top n-gram and duplicate n-gram character "
        "fractions). Off by default: it costs about 0.5 ms a document.",
    ),
    click.option(
        "--max-repetition",
        multiple=True,
        callback=_stat_limit,
        metavar="NAME=VALUE",
        help="Change one Gopher limit (repeatable), e.g. dup_para_frac=0.4; implies --repetition-filter.",
    ),
]

MIN_DOCS_OPTION = click.option(
    "--boilerplate-min-docs",
    type=click.IntRange(2),
    default=DEFAULT_MIN_DOCS,
    show_default=True,
    metavar="N",
    help="How many documents must share a line for it to be boilerplate (run's --boilerplate, explain's "
    "--boilerplate-from).",
)

BOILERPLATE_OPTIONS = [
    click.option(
        "--boilerplate",
        is_flag=True,
        help="Remove site boilerplate: a line found in at least --boilerplate-min-docs documents (exact copies "
        "count once; compared as repeat repair compares lines) is removed from every document, before the "
        "exact and near steps; a document that is mostly such lines (a syndicated or re-scraped copy) is kept "
        "whole. Reads the input twice.",
    ),
    MIN_DOCS_OPTION,
]

POLICY_OPTIONS = [
    click.option(
        "--keep",
        type=click.Choice(KEEP_POLICIES),
        default="first",
        show_default=True,
        help="Which document of a duplicate group stays: the first in input order, or the longest (ties: the first).",
    ),
    click.option(
        "--keep-by",
        metavar="FIELD",
        default=None,
        help="Keep the document of a group with the highest value of this JSON Lines field (numbers "
        "numerically, strings as text, so an ISO date keeps the newest); records without it rank last; "
        "ties: the first.",
    ),
    click.option(
        "--drop-all",
        is_flag=True,
        help="Remove every member of a cluster of duplicates, the ones that would be kept too: keep only "
        "documents that have no near or exact duplicate at all.",
    ),
    click.option(
        "--mode",
        type=click.Choice(MODES),
        default="auto",
        show_default=True,
        help="stream: decide each document as it arrives (keep first only; memory ~200 bytes per kept "
        "document). batch: spill prepared documents to a temporary folder, decide in keep-policy order, write "
        "in a second pass (any keep policy; memory does not grow with the corpus text). auto: stream for "
        "--keep first, else batch.",
    ),
]


@dataclass(frozen=True)
class Cleaning:
    """The in-place repairs, apart from the rest of a run's settings: clean and explain apply only these."""

    normalize: bool
    skip_rules: tuple[str, ...]
    straight_quotes: bool
    unicode_form: str
    repeats: bool

    def normalize_kwargs(self) -> dict[str, Any]:
        """The normalisation settings as :func:`dedupe.cleaning.normalize.normalize` spells them."""
        return {"skip": self.skip_rules, "straight_quotes": self.straight_quotes, "form": self.unicode_form}


def cleaning(parsed: Mapping[str, Any]) -> Cleaning:
    """The values of :func:`cleaning_options`, read in one place so a run and clean/explain agree on them."""
    return Cleaning(
        normalize=not parsed["no_normalize"],
        skip_rules=tuple(parsed["skip_rules"]),
        straight_quotes=parsed["straight_quotes"],
        unicode_form=parsed["unicode_form"],
        repeats=not parsed["no_repeats"],
    )


def settings(parsed: Mapping[str, Any]) -> tuple[Options, Execution]:
    """The settings from the parsed command line (a usage error, exit 2, when they don't fit together).

    Commands without the policy or repetition options get the defaults for them.
    """
    values = {
        "threshold": parsed["threshold"],
        "ngram": parsed["ngram"],
        "num_perm": parsed["num_perm"],
        "seed": parsed["seed"],
        "bands": parsed["bands"],
        "rows": parsed["rows"],
        "shingle": parsed["shingle"],
        "verify": parsed["verify"],
        "temp_dir": parsed["temp_dir"],
        **asdict(cleaning(parsed)),
        "repetition_filter": parsed.get("repetition_filter", False),
        "max_repetition": tuple(parsed.get("max_repetition", ())),
        "exact": not parsed["no_exact"],
        "near": not parsed["no_near"],
        "boilerplate": parsed.get("boilerplate", False),
        "boilerplate_min_docs": parsed.get("boilerplate_min_docs", DEFAULT_MIN_DOCS),
        "jobs": parsed["jobs"] or default_jobs(),
    }
    for key in ("keep", "keep_by", "drop_all", "mode"):
        if key in parsed:
            values[key] = parsed[key]
    try:
        return split(values)
    except ValueError as err:
        fail(str(err), 2)


def input_format(parsed: Mapping[str, Any]) -> InputFormat:
    """How INPUT is read, from the values of :data:`INPUT_OPTIONS`: what both engines and the readers take."""
    return InputFormat(parsed["text_field"], parsed["id_field"], parsed["encoding_errors"], parsed["pattern"])


def open_source(input_path: str, fmt: InputFormat) -> Source:
    """INPUT opened for reading; one that cannot be is a usage error (exit 2), as a missing file is."""
    try:
        return fmt.open(input_path)
    except InputError as err:
        fail(str(err), 2)
