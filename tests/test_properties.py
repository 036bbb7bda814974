"""Properties of a whole run on arbitrary documents: the account always balances, every input comes out
exactly once in input order, kept text is exactly the cleaned input, and every removal names a document
that was kept before it."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedupe.cleaning.normalize import clean
from dedupe.cleaning.repeats import remove_repeats
from dedupe.document import Account, Document, Removal
from dedupe.engines.local import run_documents
from dedupe.options import split

WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "Ünïcode", "日本語", "_x1", "42"]
sentences = st.lists(st.sampled_from(WORDS), min_size=0, max_size=40).map(" ".join)
texts = st.one_of(sentences, st.text(max_size=200), st.just(""), st.sampled_from(["![]() |", "\u00a0 \n\n"]))


@st.composite
def corpora(draw):
    pool = draw(st.lists(texts, min_size=1, max_size=8))
    picks = draw(st.lists(st.integers(0, len(pool) - 1), min_size=1, max_size=25))
    ids = draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=len(picks), max_size=len(picks)))
    return [Document(doc_id, pool[p], order=i) for i, (doc_id, p) in enumerate(zip(ids, picks, strict=True))]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora(), st.sampled_from(["first", "longest"]), st.booleans())
def test_every_document_comes_out_once_and_the_account_balances(docs, keep, drop_all):
    originals = [d.text for d in docs]
    account = Account()
    opts, execution = split({"keep": keep, "drop_all": drop_all, "batch_size": 4})
    outcomes = list(run_documents(docs, opts, account, execution=execution))
    assert len(outcomes) == len(docs)
    assert account.balanced and account.read == len(docs)
    assert account.kept == sum(isinstance(o, Document) for o in outcomes)
    kept_ids: set[str] = set()
    for original, outcome in zip(originals, outcomes, strict=True):
        if isinstance(outcome, Document):
            assert outcome.text == remove_repeats(clean(original))  # nothing invented, nothing else changed
            kept_ids.add(outcome.id)
    ids = [o.id for o in outcomes]
    assert len(set(ids)) == len(ids)  # duplicate ids were told apart
    for outcome in outcomes:
        if isinstance(outcome, Removal) and outcome.duplicate_of is not None:
            assert outcome.duplicate_of in kept_ids or drop_all
            assert outcome.similarity is not None and outcome.similarity >= 0.8
