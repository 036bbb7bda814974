"""dedupe: turn scraped text into clean, de-duplicated corpora.

The pieces a Python pipeline needs, importable from the top:

- ``clean(text)`` normalises scraped text (mojibake, Unicode form, odd spaces, residue);
- ``remove_repeats(text)`` removes blocks a scraper emitted twice inside one document;
- ``deduplicate(items)`` yields the items of any iterable that are not near-duplicates of earlier ones;
- ``signatures(texts)`` and ``shingle_hashes(text)`` give MinHash signatures, bit-compatible with datasketch.
"""

from dedupe.api import Deduplicator, deduplicate
from dedupe.cleaning.normalize import clean, explain
from dedupe.cleaning.repeats import remove_repeats, repair
from dedupe.document import Account, Document, Removal
from dedupe.near.minhash import signatures
from dedupe.near.shingles import shingle_hashes
from dedupe.options import Options
from dedupe.version import __version__

__all__ = [
    "__version__",
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
