"""Near-duplicate detection: shingles and their MinHash signatures (bit-compatible with datasketch)."""

from dedupe.near.minhash import EMPTY, permutations, signatures
from dedupe.near.shingles import shingle_hashes, tokens

__all__ = ["EMPTY", "permutations", "shingle_hashes", "signatures", "tokens"]
