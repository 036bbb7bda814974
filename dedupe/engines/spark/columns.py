"""The Spark engine's own columns, in one place. Every name starts with ``dd_`` so that it cannot meet a
column of the user's DataFrame; a column means the same thing wherever it appears.

A document's row, as read (:mod:`~dedupe.engines.spark.read`):

- ``dd_order`` (long): input order, unique: the line number of a JSON Lines file, the file's place in a
  folder's sorted listing, or the user's ``order_col``;
- ``dd_id``, ``dd_source`` (strings): the document's id and the relative path of its file;
- ``dd_record`` (string): the JSON Lines record as JSON (its other fields, for the output and ``keep_by``);
- ``dd_text`` (string): the text as read; ``dd_read_edit``: an edit the reader made (a decoding);
- ``dd_read_error`` (string): why the reader rejected it (null: it was read);
- ``dd_keep_value`` (string): for ``deduplicate(df, keep_by=...)``, that column's value as a JSON record;
- ``dd_id_count`` (int): this is the n-th document with its id (see :mod:`dedupe.decide.ids`).

As prepared on the executors (:mod:`~dedupe.engines.spark.prepare`):

- ``dd_clean`` (string): the cleaned text; ``dd_reject_step``, ``dd_reject_reason``: why preparing
  rejected or removed it (null: it goes on to the decision);
- ``dd_digest`` (binary): the exact-duplicate key; ``dd_nibbles`` (binary): the 4-bit signature;
  ``dd_band_keys`` (array of long): its LSH band keys; ``dd_signed`` (boolean): it has words to sign;
- ``dd_rank_key`` (binary): the keep policy's sort key (:func:`dedupe.decide.keep.rank_key`);
- ``dd_length``, ``dd_chars_in`` (long), ``dd_edits`` (JSON object): what the account counts.

The first pass of ``--boilerplate`` (:mod:`~dedupe.engines.spark.boilerplate`):

- ``dd_family`` (long): the first 8 bytes of a cleaned document's digest, so exact copies count once;
- ``dd_line`` (long): the hash of one of its distinct lines (:mod:`dedupe.cleaning.boilerplate`);
- ``dd_line_text`` (string): how that line reads, for the report's most common lines.

In the decision (:mod:`~dedupe.engines.spark.decide`, :mod:`~dedupe.engines.spark.rounds`):

- ``dd_rank`` (long): the place in keep-policy order, the order of the local engine's decisions;
- a pair of documents is ``dd_doc`` (the rank of the one being decided) and ``dd_kept`` (the rank of an
  earlier one it is checked against), with ``dd_estimate``, ``dd_exact`` (null where the estimate
  decides), ``dd_passes``; ``dd_band`` is a shared band key;
- ``dd_first`` (long), ``dd_first_id``: the rank and id of the first document of its exact-duplicate
  group; ``dd_first_kept``: whether that one is kept;
- ``dd_state``: ``u`` undecided, ``k`` kept, ``r`` removed, in the rounds; ``dd_new``: kept in the last round;
- ``dd_root``: the family (cluster) of a kept document, named by its lowest rank;
- clusters file order: ``dd_cluster_first`` (the order of its first removed member), ``dd_cluster_kind``
  (``k`` a kept member, ``r`` a removed one), ``dd_cluster_rank`` (a kept member's rank).

The result adds the user-facing columns of :data:`OUTPUT_COLUMNS`.
"""

ORDER = "dd_order"
ID = "dd_id"
SOURCE = "dd_source"
RECORD = "dd_record"
TEXT = "dd_text"
READ_EDIT = "dd_read_edit"
READ_ERROR = "dd_read_error"
KEEP_VALUE = "dd_keep_value"
ID_COUNT = "dd_id_count"

CLEAN = "dd_clean"
REJECT_STEP = "dd_reject_step"
REJECT_REASON = "dd_reject_reason"
DIGEST = "dd_digest"
NIBBLES = "dd_nibbles"
BAND_KEYS = "dd_band_keys"
SIGNED = "dd_signed"
RANK_KEY = "dd_rank_key"
LENGTH = "dd_length"
CHARS_IN = "dd_chars_in"
EDITS = "dd_edits"

FAMILY = "dd_family"
LINE = "dd_line"
LINE_TEXT = "dd_line_text"

RANK = "dd_rank"
DOC = "dd_doc"
KEPT = "dd_kept"
BAND = "dd_band"
ESTIMATE = "dd_estimate"
EXACT = "dd_exact"
PASSES = "dd_passes"
FIRST = "dd_first"
FIRST_ID = "dd_first_id"
FIRST_KEPT = "dd_first_kept"
STATE = "dd_state"
NEW = "dd_new"
ROOT = "dd_root"
CLUSTER_FIRST = "dd_cluster_first"
CLUSTER_KIND = "dd_cluster_kind"
CLUSTER_RANK = "dd_cluster_rank"
CLUSTER_COLUMNS = (CLUSTER_FIRST, CLUSTER_KIND, CLUSTER_RANK)

OUTPUT_COLUMNS = ("status", "step", "reason", "duplicate_of", "similarity", "cluster")
"""What ``deduplicate`` adds to every row: kept/removed/rejected, the step and reason, the kept document it
duplicates and how similar they are, and its cluster (null: in none)."""

BASE_SCHEMA = (
    f"{ORDER} bigint, {ID} string, {SOURCE} string, {RECORD} string, {TEXT} string, {READ_EDIT} string, "
    f"{READ_ERROR} string, {KEEP_VALUE} string"
)
PREPARED_SCHEMA = (
    f"{ORDER} bigint, {ID} string, {SOURCE} string, {RECORD} string, {CLEAN} string, {REJECT_STEP} string, "
    f"{REJECT_REASON} string, {DIGEST} binary, {NIBBLES} binary, {BAND_KEYS} array<bigint>, {SIGNED} boolean, "
    f"{RANK_KEY} binary, {LENGTH} bigint, {CHARS_IN} bigint, {EDITS} string"
)
LINES_SCHEMA = f"{FAMILY} bigint, {LINE} bigint"
SAMPLES_SCHEMA = f"{LINE} bigint, {ORDER} bigint, {LINE_TEXT} string"
MATCH_SCHEMA = (
    f"{DOC} bigint, dd_candidates bigint, dd_exact_checks bigint, duplicate_of string, {KEPT} bigint, "
    "similarity double, reason string"
)


def names(schema: str) -> list[str]:
    """The column names of a DDL schema string."""
    return [part.split()[0] for part in schema.split(", ")]
