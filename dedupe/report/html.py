"""A self-contained HTML page of a run, for people deciding whether to trust it (``dedupe run --html FILE``).

The JSON report is for machines; this page is for a person checking a threshold before running it on the
whole crawl. It shows the account (``read == kept + removed + rejected``), what each stage did, how the
similarities of candidate pairs fall around the threshold, the largest duplicate groups (the run's
clusters, see :mod:`dedupe.decide.clusters`) with word diffs of a removed document against the one it
duplicates, repaired repeats, boilerplate lines (:mod:`~dedupe.report.html_boilerplate`), and
rejections by reason.

The page is one file with inline CSS and an inline SVG chart: no scripts, no fonts or images from
elsewhere, so it opens offline, can be mailed or archived, and a strict Content-Security-Policy forbids it
to load anything. Every piece of corpus text goes through :func:`html.escape`. The same input gives the
same bytes (no timestamps, every collection sorted), so pages of two runs can be compared with ``diff``.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from dedupe.report.html_boilerplate import boilerplate_section

# How much of a corpus the page shows: enough to judge, small enough to open instantly.
MAX_CLUSTERS = 6  # duplicate groups shown
MAX_DIFFS = 2  # removed members of a group diffed against the kept document each duplicates
MAX_MEMBERS = 12  # rows of a group's member table
MAX_DIFF_CHARS = 6000  # each side of a diff is cut here (diffs are quadratic in the worst case)
DIFF_CONTEXT = 15  # unchanged words shown either side of a difference
MAX_REPAIRS = 8  # documents with repaired repeats
MAX_BLOCKS = 4  # repaired blocks shown per document
MAX_BLOCK_CHARS = 600
MAX_EXAMPLE_IDS = 5  # ids listed per rejection reason
BINS = 20  # histogram bins of width 0.05


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _num(n: Any) -> str:
    """Counts with thousands separators; other values as they are."""
    if isinstance(n, bool):
        return str(n).lower()
    if isinstance(n, int):
        return f"{n:,}"
    if isinstance(n, float):
        return f"{n:,.3f}".rstrip("0").rstrip(".") if not n.is_integer() else f"{int(n):,}"
    return str(n)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _sim(value: float | None) -> str:
    return "–" if value is None else f"{float(value):.2f}"


def _cap(text: str, limit: int) -> tuple[str, int]:
    """``text`` cut at ``limit`` characters (at a space when one is near) and how many were left out."""
    if len(text) <= limit:
        return text, 0
    cut = text.rfind(" ", int(limit * 0.9), limit)
    cut = cut if cut > 0 else limit
    return text[:cut], len(text) - cut


def _more(left_out: int) -> str:
    return f'<span class="more">… {left_out:,} more characters not shown</span>' if left_out else ""


def clusters_from_lines(lines: Iterable[Mapping[str, Any]]) -> list[dict]:
    """The page's duplicate groups from the lines of a clusters file (``dedupe run --clusters``, see
    :mod:`dedupe.decide.clusters`), largest first, ties by name.

    The page shows the clusters the run itself reports, so a reader of the page and a reader of the
    clusters file see the same groups. A line with ``duplicate_of`` is a removed member; any other line is
    a kept member (``kept``, ``indexed``, or kept and then removed by ``--drop-all``). The shape is that of
    :func:`dedupe.run.inspection.clusters` without the ``pairs``: ``kept`` is the cluster's name (its
    earliest kept document), ``also_kept`` the family's other kept documents.
    """
    kept: dict[str, list[str]] = {}
    removed: dict[str, list[dict]] = {}
    for line in lines:
        name = str(line["cluster"])
        if name not in kept:
            kept[name], removed[name] = [], []
        if "duplicate_of" in line:
            removed[name].append(
                {
                    "id": line["id"],
                    "step": line.get("step"),
                    "duplicate_of": line["duplicate_of"],
                    "similarity": line.get("similarity"),
                }
            )
        else:
            kept[name].append(str(line["id"]))
    groups = [
        {
            "kept": name,
            "also_kept": [k for k in kept[name] if k != name],
            "size": len(kept[name]) + len(removed[name]),
            "members": removed[name],
        }
        for name in kept
    ]
    groups.sort(key=lambda g: (-g["size"], g["kept"]))
    return groups


def _diffed_against(cluster: Mapping[str, Any], member: Mapping[str, Any]) -> str:
    """The kept document a removed member is diffed against: the one it was removed as a duplicate of,
    which in a family of several kept documents need not be the cluster's name."""
    return str(member.get("duplicate_of") or cluster["kept"])


def ids_for_diffs(clusters: Iterable[Mapping[str, Any]], *, max_clusters: int = MAX_CLUSTERS) -> set[str]:
    """The document ids whose texts the page diffs, so a caller can collect just those in a second pass."""
    wanted: set[str] = set()
    for cluster in list(clusters)[:max_clusters]:
        wanted.add(str(cluster["kept"]))
        for member in list(cluster["members"])[:MAX_DIFFS]:
            wanted.update((str(member["id"]), _diffed_against(cluster, member)))
    return wanted


def repair_example(doc_id: str, text: str, blocks: Iterable[Any]) -> dict:
    """One ``repairs`` entry from :func:`dedupe.cleaning.repeats.repair`'s blocks; ``text`` is the repaired input
    (the offsets of a :class:`~dedupe.cleaning.repeats.RemovedBlock` refer to it)."""
    return {
        "id": doc_id,
        "removed": [
            {
                "kind": b.kind,
                "text": text[b.start : b.end].strip(),
                "repeat_of_text": text[b.repeat_of[0] : b.repeat_of[1]].strip(),
                "similarity": round(float(b.similarity), 4),
            }
            for b in blocks
        ],
    }


_WORD = re.compile(r"(\S+)(\s*)")


def word_diff(old: str, new: str, *, context: int | None = None) -> tuple[str, str, int]:
    """Side-by-side word diff as two HTML fragments: ``old`` with its dropped words in ``<del>``, ``new``
    with its added words in ``<ins>``, and the number of words that differ.

    Words are compared without their spacing, so a re-wrapped paragraph is not a difference; each word is
    shown with the spacing it had so paragraphs stay readable. With ``context``, a run of unchanged words
    keeps only ``context`` words next to each change: a near-duplicate is mostly the same text, and the
    few differences are what a reader looks for.
    """
    a = _WORD.findall(old)
    b = _WORD.findall(new)
    matcher = difflib.SequenceMatcher(None, [w for w, _ in a], [w for w, _ in b], autojunk=False)
    opcodes = matcher.get_opcodes()
    left: list[str] = []
    right: list[str] = []
    changed = 0

    def span(tokens: list[tuple[str, str]], tag: str | None) -> str:
        body = _e("".join(w + s for w, s in tokens))
        return f"<{tag}>{body}</{tag}>" if tag and body else body

    for n, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op != "equal":
            changed += max(i2 - i1, j2 - j1)
            left.append(span(a[i1:i2], "del"))
            right.append(span(b[j1:j2], "ins"))
            continue
        head = 0 if n == 0 else context or 0  # words kept after the change before this run
        tail = 0 if n == len(opcodes) - 1 else context or 0  # and before the change after it
        if context is None or head + tail + 4 >= i2 - i1:  # too short to be worth cutting
            left.append(span(a[i1:i2], None))
            right.append(span(b[j1:j2], None))
            continue
        gap = f'<span class="gap">… {i2 - i1 - head - tail:,} unchanged words …</span>'
        left.append(span(a[i1 : i1 + head], None) + gap + span(a[i2 - tail : i2], None))
        right.append(span(b[j1 : j1 + head], None) + gap + span(b[j2 - tail : j2], None))
    return "".join(left), "".join(right), changed


# ------------------------------------------------------------------------------------------- sections


def _account(report: Mapping[str, Any]) -> str:
    read = int(report.get("read", 0))

    def card(label: str, key: str, sign: str = "") -> str:
        n = int(report.get(key, 0))
        share = f"{n / read:.1%} of read" if read and key != "read" else "documents"
        op = f'<div class="op">{sign}</div>' if sign else ""
        return (
            f'{op}<div class="card {key}"><div class="label">{label}</div>'
            f'<div class="big" id="n-{key}">{_num(n)}</div><div class="share">{share}</div></div>'
        )

    cards = card("read", "read") + card("kept", "kept", "=") + card("removed", "removed", "+")
    cards += card("rejected", "rejected", "+")
    balanced = report.get("balanced", read == sum(int(report.get(k, 0)) for k in ("kept", "removed", "rejected")))
    note = (
        '<p class="ok">The account balances: every document read was kept, removed or rejected.</p>'
        if balanced
        else '<p class="bad">The account does not balance: read ≠ kept + removed + rejected. This is a bug.</p>'
    )
    facts = []
    if "chars_in" in report:
        facts.append(f"characters in {_num(report['chars_in'])}, out {_num(report.get('chars_out', 0))}")
    if "seconds" in report:
        facts.append(f"{float(report['seconds']):.2f} s")
    detail = f'<p class="muted">{_e("; ".join(facts))}</p>' if facts else ""
    return f'<section><h2>Account</h2><div class="cards">{cards}</div>{note}{detail}</section>'


def _stages(report: Mapping[str, Any]) -> str:
    stages = report.get("stages") or {}
    if not stages:
        return '<section><h2>Stages</h2><p class="muted">No stage counted anything.</p></section>'
    rows = []
    for name in sorted(stages):
        counts = stages[name]
        for i, key in enumerate(sorted(counts)):
            head = f'<th rowspan="{len(counts)}" scope="rowgroup">{_e(name)}</th>' if i == 0 else ""
            rows.append(f'<tr>{head}<td>{_e(key.replace("_", " "))}</td><td class="n">{_num(counts[key])}</td></tr>')
    return (
        '<section><h2>Stages</h2><table class="stages"><thead><tr><th>stage</th><th>count</th>'
        f'<th class="n">value</th></tr></thead><tbody>{"".join(rows)}</tbody></table></section>'
    )


def _nice_step(top: int) -> int:
    """A 1-2-5 tick step giving at most five ticks up to ``top``."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if top / (step * m) <= 5:
                return step * m
        step *= 10


def histogram_svg(values: list[float], threshold: float, *, width: int = 760, height: int = 280) -> str:
    """An inline SVG histogram of similarities in [0, 1] with the threshold drawn as a dashed line.

    Each bin is split at the threshold: the part at or above it (pairs a run counts as duplicates) is drawn
    in the accent colour, so a threshold that cuts through a crowded bin is visible.
    """
    left, right, top, bottom = 48, 16, 28, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    below = [0] * BINS
    above = [0] * BINS
    for v in values:
        i = min(BINS - 1, max(0, int(float(v) * BINS)))
        (above if v >= threshold else below)[i] += 1
    peak = max((a + b for a, b in zip(below, above, strict=True)), default=0) or 1
    step = _nice_step(peak)
    y_max = -(-peak // step) * step
    bar_w = plot_w / BINS

    def x(v: float) -> float:
        return left + v * plot_w

    def y(n: float) -> float:
        return top + plot_h - n / y_max * plot_h

    parts = [
        f'<svg class="hist" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="Histogram of {len(values)} similarities, threshold {threshold:.2f}">'
    ]
    for n in range(0, y_max + 1, step):  # horizontal grid and y labels
        parts.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y(n):.1f}" y2="{y(n):.1f}"/>')
        parts.append(f'<text class="tick" x="{left - 6}" y="{y(n) + 4:.1f}" text-anchor="end">{n:,}</text>')
    for i in range(BINS):
        x0 = x(i / BINS) + 1
        for count, base, cls in ((below[i], 0, "bar"), (above[i], below[i], "bar dup")):
            if count:
                y1, y0 = y(base + count), y(base)
                lo, hi = i / BINS, (i + 1) / BINS
                parts.append(
                    f'<rect class="{cls}" x="{x0:.1f}" y="{y1:.1f}" width="{bar_w - 2:.1f}" height="{y0 - y1:.1f}">'
                    f"<title>{lo:.2f}–{hi:.2f}: {count:,}</title></rect>"
                )
    for t in range(0, 11, 2):  # x axis
        v = t / 10
        parts.append(f'<text class="tick" x="{x(v):.1f}" y="{top + plot_h + 18}" text-anchor="middle">{v:.1f}</text>')
    parts.append(f'<line class="axis" x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}"/>')
    parts.append(
        f'<text class="tick" x="{left + plot_w / 2:.1f}" y="{height - 4}" text-anchor="middle">'
        "Jaccard similarity</text>"
    )
    tx = x(threshold)
    parts.append(
        f'<line class="threshold" id="threshold" x1="{tx:.1f}" x2="{tx:.1f}" y1="{top - 8}" y2="{top + plot_h}"/>'
    )
    anchor = "end" if threshold > 0.75 else "start"
    dx = -6 if anchor == "end" else 6
    parts.append(
        f'<text class="thlabel" x="{tx + dx:.1f}" y="{top - 10}" text-anchor="{anchor}">'
        f"threshold {threshold:.2f}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def _similarities(pairs: list[dict] | None, removals: list[dict]) -> tuple[list[float], str]:
    if pairs:
        values = [float(p["exact"] if p.get("exact") is not None else p["estimated"]) for p in pairs]
        return values, f"{len(values):,} candidate pairs (exact Jaccard of their shingles)"
    values = [float(r["similarity"]) for r in removals if r.get("similarity") is not None]
    return values, (
        f"{len(values):,} removed duplicates, similarity to the document each duplicates "
        "(the run kept no candidate pairs; pairs below the threshold are not shown)"
    )


def _histogram(pairs: list[dict] | None, removals: list[dict], threshold: float) -> str:
    values, source = _similarities(pairs, removals)
    at_or_above = sum(v >= threshold for v in values)
    if not values:
        body = '<p class="muted">No candidate pairs or duplicate similarities to show.</p>'
    else:
        body = histogram_svg(values, threshold) + (
            f'<p class="muted">{_e(source)}. At or above the threshold ({threshold:.2f}): '
            f'<b id="n-above">{at_or_above:,}</b>; below: <b>{len(values) - at_or_above:,}</b>. '
            '<span class="key dup"></span> at or above &nbsp;<span class="key"></span> below</p>'
        )
    return f"<section><h2>Similarities</h2>{body}</section>"


def _diff_block(kept: str, member: Mapping[str, Any], texts: Mapping[str, str]) -> str:
    mid = str(member["id"])
    if kept not in texts or mid not in texts:
        missing = ", ".join(i for i in (kept, mid) if i not in texts)
        return f'<p class="muted">No text at hand for {_e(missing)}; no diff.</p>'
    old, old_more = _cap(texts[kept], MAX_DIFF_CHARS)
    new, new_more = _cap(texts[mid], MAX_DIFF_CHARS)
    left, right, changed = word_diff(old, new, context=DIFF_CONTEXT)
    words = max(len(old.split()), len(new.split()))
    if not changed and not old_more and not new_more:
        return (
            f'<p class="same">Removed <code>{_e(mid)}</code> has the same words as kept <code>{_e(kept)}</code> '
            f"({_plural(words, 'word')}; only spacing may differ).</p>"
        )
    return (
        '<div class="diff">'
        f'<div class="side"><div class="who">kept <code>{_e(kept)}</code></div>'
        f'<div class="text">{left}{_more(old_more)}</div></div>'
        f'<div class="side"><div class="who">removed <code>{_e(mid)}</code>'
        f" · similarity {_sim(member.get('similarity'))}"
        f" · {changed:,} of {_plural(words, 'word')} differ</div>"
        f'<div class="text">{right}{_more(new_more)}</div></div>'
        "</div>"
    )


def _kept_ids(ids: list[str]) -> str:
    shown = ", ".join(f"<code>{_e(i)}</code>" for i in ids[:MAX_MEMBERS])
    return shown + (f" … {len(ids) - MAX_MEMBERS:,} more" if len(ids) > MAX_MEMBERS else "")


def _clusters(clusters: list[dict] | None, texts: Mapping[str, str]) -> str:
    if clusters is None:
        return '<section><h2>Largest duplicate groups</h2><p class="muted">No clusters were given.</p></section>'
    if not clusters:
        return '<section><h2>Largest duplicate groups</h2><p class="muted">No duplicates were removed.</p></section>'
    shown = clusters[:MAX_CLUSTERS]
    out = [
        "<section><h2>Largest duplicate groups</h2>",
        f'<p class="muted">{_plural(len(clusters), "group")}; the {len(shown)} largest. Each group is one of the '
        "run's clusters, as in its clusters file. Left: the kept document a removed one duplicates, with words "
        "the removed one lacks <del>struck</del>; right: the removed one, with its own words <ins>marked</ins>.</p>",
    ]
    for n, c in enumerate(shown, 1):
        kept = str(c["kept"])
        also = [str(k) for k in c.get("also_kept") or []]
        members = list(c["members"])
        rows = "".join(
            f"<tr><td><code>{_e(m['id'])}</code></td><td>{_e(m.get('step') or '')}</td>"
            f"<td><code>{_e(_diffed_against(c, m))}</code></td>"
            f'<td class="n">{_sim(m.get("similarity"))}</td></tr>'
            for m in members[:MAX_MEMBERS]
        )
        if len(members) > MAX_MEMBERS:
            rows += f'<tr><td colspan="4" class="muted">… {len(members) - MAX_MEMBERS:,} more</td></tr>'
        also_kept = f", also kept {_kept_ids(also)}" if also else ""
        out.append(
            f'<div class="cluster"><h3>Group {n}: {int(c["size"]):,} documents, kept <code>{_e(kept)}</code>'
            f"{also_kept}</h3>"
            '<table class="members"><thead><tr><th>removed</th><th>step</th><th>duplicate of</th>'
            f'<th class="n">similarity</th></tr></thead><tbody>{rows}</tbody></table>'
        )
        out.extend(_diff_block(_diffed_against(c, m), m, texts) for m in members[:MAX_DIFFS])
        out.append("</div>")
    out.append("</section>")
    return "".join(out)


def _repairs(repairs: list[dict]) -> str:
    if not repairs:
        return ""
    out = [
        "<section><h2>Repaired repeats</h2>",
        f'<p class="muted">Blocks removed from inside documents because they repeat an earlier block; '
        f"{min(len(repairs), MAX_REPAIRS)} of {_plural(len(repairs), 'example')}.</p>",
    ]
    for ex in repairs[:MAX_REPAIRS]:
        blocks = list(ex.get("removed", []))
        out.append(f'<div class="repair"><h3><code>{_e(ex["id"])}</code>: {_plural(len(blocks), "block")} removed</h3>')
        for b in blocks[:MAX_BLOCKS]:
            text, more = _cap(str(b.get("text", "")), MAX_BLOCK_CHARS)
            orig, orig_more = _cap(str(b.get("repeat_of_text", "")), MAX_BLOCK_CHARS)
            sim = b.get("similarity")
            if sim is not None and float(sim) < 1 and orig:
                left, right, _ = word_diff(orig, text)
            else:
                left, right = _e(orig), _e(text)
            out.append(
                f'<div class="block"><div class="who">removed {_e(b.get("kind", "block"))}'
                f" · similarity {_sim(sim)}</div>"
                f'<div class="diff"><div class="side"><div class="who">kept copy</div><div class="text">{left}'
                f'{_more(orig_more)}</div></div><div class="side"><div class="who">removed repeat</div>'
                f'<div class="text gone">{right}{_more(more)}</div></div></div></div>'
            )
        if len(blocks) > MAX_BLOCKS:
            out.append(f'<p class="muted">… {len(blocks) - MAX_BLOCKS:,} more blocks</p>')
        out.append("</div>")
    out.append("</section>")
    return "".join(out)


_LINE = re.compile(r"^line \d+: ")


def _reason_key(reason: str) -> str:
    """Reasons differ by line numbers and offsets; group them without."""
    return re.sub(r"\d+", "#", _LINE.sub("", reason))


def _rejections(removals: list[dict]) -> str:
    rejected = [r for r in removals if r.get("kind") == "rejected"]
    if not rejected:
        return '<section><h2>Rejections</h2><p class="muted">No document was rejected.</p></section>'
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in rejected:
        groups[(str(r.get("step", "")), _reason_key(str(r.get("reason", ""))))].append(r)
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    rows = []
    for (step, reason), items in ordered:
        ids = ", ".join(f"<code>{_e(r['id'])}</code>" for r in items[:MAX_EXAMPLE_IDS])
        if len(items) > MAX_EXAMPLE_IDS:
            ids += f" … {len(items) - MAX_EXAMPLE_IDS:,} more"
        rows.append(f'<tr><td>{_e(reason)}</td><td>{_e(step)}</td><td class="n">{len(items):,}</td><td>{ids}</td></tr>')
    return (
        "<section><h2>Rejections</h2>"
        '<table class="rejections"><thead><tr><th>reason</th><th>step</th><th class="n">documents</th>'
        f"<th>examples</th></tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _options(report: Mapping[str, Any]) -> str:
    options = report.get("options") or {}
    if not options:
        return ""
    rows = "".join(
        f"<tr><td>{_e(k.replace('_', ' '))}</td><td><code>{_e(_opt(v))}</code></td></tr>"
        for k, v in sorted(options.items())
    )
    return (
        '<section><details><summary>Options of this run</summary><table class="options"><tbody>'
        f"{rows}</tbody></table></details></section>"
    )


def _opt(value: Any) -> str:
    if value is None:
        return "default"
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value)) or "none"
    return _num(value)


_CSS = """
:root { --fg:#1d232b; --muted:#5f6b7a; --line:#d9dee5; --bg:#f6f7f9; --card:#fff;
  --kept:#2f7d4f; --removed:#c0602a; --rejected:#9b2c3c; --accent:#c0602a; }
* { box-sizing:border-box; }
body { margin:0; background:var(--bg); color:var(--fg);
  font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif; }
main { max-width:1180px; margin:0 auto; padding:28px 24px 48px; }
header h1 { margin:0; font-size:26px; }
header p { margin:4px 0 0; color:var(--muted); }
section { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:16px 20px; margin:18px 0; }
.pair { display:grid; grid-template-columns:minmax(280px, 1fr) 2.2fr; gap:18px; margin:18px 0; }
.pair > section { margin:0; }
@media (max-width:900px) { .pair { grid-template-columns:1fr; } .diff { grid-template-columns:1fr; } }
h2 { font-size:18px; margin:0 0 12px; }
h3 { font-size:15px; margin:18px 0 8px; }
code { font:13px/1.4 ui-monospace,"DejaVu Sans Mono",Menlo,monospace; background:#eef1f4; padding:1px 4px;
  border-radius:3px; overflow-wrap:anywhere; }
.muted { color:var(--muted); font-size:14px; }
.ok { color:var(--kept); margin:12px 0 0; } .bad { color:var(--rejected); font-weight:600; margin:12px 0 0; }
.cards { display:flex; align-items:stretch; gap:10px; flex-wrap:wrap; }
.card { flex:1 1 160px; border:1px solid var(--line); border-top:4px solid var(--fg); border-radius:6px;
  padding:10px 14px; }
.card.kept { border-top-color:var(--kept); } .card.removed { border-top-color:var(--removed); }
.card.rejected { border-top-color:var(--rejected); }
.card .label { text-transform:uppercase; letter-spacing:.06em; font-size:12px; color:var(--muted); }
.card .big { font-size:34px; font-weight:650; font-variant-numeric:tabular-nums; line-height:1.2; }
.card .share { font-size:13px; color:var(--muted); }
.op { align-self:center; font-size:26px; color:var(--muted); }
table { border-collapse:collapse; font-size:14px; }
th, td { text-align:left; padding:4px 14px 4px 0; border-bottom:1px solid var(--line); vertical-align:top; }
thead th { color:var(--muted); font-weight:600; font-size:13px; }
tbody th { font-weight:600; }
td.n, th.n { text-align:right; font-variant-numeric:tabular-nums; }
.hist { width:100%; height:auto; max-width:760px; display:block; }
.hist .bar { fill:#8aa4c2; } .hist .bar.dup { fill:var(--accent); }
.hist .grid { stroke:#e8ebef; } .hist .axis { stroke:#8792a0; }
.hist .tick { fill:var(--muted); font-size:12px; }
.hist .threshold { stroke:var(--fg); stroke-width:2; stroke-dasharray:6 4; }
.hist .thlabel { fill:var(--fg); font-size:13px; font-weight:600; }
.key { display:inline-block; width:12px; height:12px; background:#8aa4c2; vertical-align:-1px; border-radius:2px; }
.key.dup { background:var(--accent); }
.cluster, .repair { border-top:1px solid var(--line); margin-top:14px; }
.diff { display:grid; grid-template-columns:1fr 1fr; gap:12px; margin:10px 0; }
.side { min-width:0; border:1px solid var(--line); border-radius:6px; overflow:hidden; }
.who { font-size:13px; color:var(--muted); background:#f1f3f6; padding:5px 10px; border-bottom:1px solid var(--line); }
.block > .who { background:none; border:0; padding:6px 0 0; }
.text { white-space:pre-wrap; overflow-wrap:anywhere; font-size:13.5px; line-height:1.55; padding:8px 10px;
  max-height:420px; overflow:auto; }
.text.gone { background:#fffaf6; }
del { background:#fbd9d3; color:#7d1f12; text-decoration:line-through; text-decoration-color:#c0392b80; }
ins { background:#d4f1dc; color:#175c2c; text-decoration:none; }
.gap { display:block; color:var(--muted); font-style:italic; font-size:12.5px; margin:4px 0;
  text-align:center; background:#f1f3f6; border-radius:3px; }
.same { font-size:14px; margin:8px 0; }
.more { display:block; color:var(--muted); font-style:italic; margin-top:6px; }
details summary { cursor:pointer; font-weight:600; }
details table { margin-top:10px; }
"""


def render_html(
    report: dict,
    removals: list[dict],
    *,
    pairs: list[dict] | None = None,
    clusters: list[dict] | None = None,
    texts: Mapping[str, str] | None = None,
    repairs: list[dict] | None = None,
    threshold: float = 0.8,
) -> str:
    """The page for one run, as a string (write it with ``encoding="utf-8"``).

    ``report`` is the run's JSON report and ``removals`` its removal log. ``clusters`` are the groups the
    page shows: :func:`clusters_from_lines` of the run's clusters (or the output of ``dedupe clusters``,
    which has the same shape); without them the page has no groups. The rest is optional and makes the
    page more useful: ``pairs`` (candidate pairs, ``dedupe pairs``) for the similarity histogram, else the
    removed duplicates' similarities are drawn; ``texts`` (id → cleaned text) for the diffs, see
    :func:`ids_for_diffs`; ``repairs`` (see :func:`repair_example`). The threshold drawn is the report's
    own (``options.threshold``) when it has one, else ``threshold``.
    """
    threshold = float((report.get("options") or {}).get("threshold", threshold))
    paths = report.get("paths") or {}
    subtitle = " · ".join(
        part
        for part in (
            f"input {paths['input']}" if paths.get("input") else "",
            f"output {paths['output']}" if paths.get("output") else "",
            f"dedupe {report['version']}" if report.get("version") else "",
        )
        if part
    )
    body = "".join(
        (
            _account(report),
            f'<div class="pair">{_stages(report)}{_histogram(pairs, removals, threshold)}</div>',
            _clusters(None if clusters is None else list(clusters), texts or {}),
            _repairs(list(repairs or [])),
            boilerplate_section(report),
            _rejections(removals),
            _options(report),
        )
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>dedupe report: {_e(paths.get('input', 'run'))}</title>"
        f"<style>{_CSS}</style></head>\n"
        f"<body><main><header><h1>dedupe report</h1><p>{_e(subtitle)}</p></header>\n{body}\n</main></body></html>\n"
    )
