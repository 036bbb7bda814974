"""dedupe: turn scraped text into clean, de-duplicated corpora.

The pieces a Python pipeline needs, importable from the top:

- ``clean(text)`` normalises scraped text (mojibake, Unicode form, odd spaces, residue);
- ``remove_repeats(text)`` removes blocks a scraper emitted twice inside one document;
- ``deduplicate(items)`` yields the items of any iterable that are not near-duplicates of earlier ones;
- ``signatures(texts)`` and ``shingle_hashes(text)`` give MinHash signatures, bit-compatible with datasketch.
"""

__version__ = "0.1.0"

from dedupe.api import Deduplicator, deduplicate  # noqa: E402
from dedupe.document import Account, Document, Removal  # noqa: E402
from dedupe.near.minhash import signatures  # noqa: E402
from dedupe.near.shingles import shingle_hashes  # noqa: E402
from dedupe.normalize import clean, explain  # noqa: E402
from dedupe.pipeline import Options  # noqa: E402
from dedupe.repeats import remove_repeats, repair  # noqa: E402

__all__ = [
    "Account",
    "Deduplicator",
    "Document",
    "Options",
    "Removal",
    "clean",
    "deduplicate",
    "explain",
    "remove_repeats",
    "repair",
    "shingle_hashes",
    "signatures",
]
