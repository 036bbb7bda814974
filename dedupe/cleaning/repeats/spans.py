"""From hits (blocks in line numbers) to the character spans cut from the text, and back from a later
round's offsets to the input's: the layout rules of the package docstring ("Deletion keeps the layout").
"""

from __future__ import annotations

import re
from bisect import bisect_right

from dedupe.cleaning.repeats.keys import normalise
from dedupe.cleaning.repeats.passes import Hit, paragraphs


def hit_spans(text: str, keys: list[str], hits: list[Hit]) -> list[tuple[int, int, int, int, Hit]]:
    """Character spans (start, end, ref_start, ref_end, hit) for the hits, in ``text`` offsets, sorted:
    whole lines with the separators they take (`_Lines.whole_lines`), and sentence runs that start or end
    inside a line cut at their sentence boundaries (`_Lines.cut`) where that can be done safely."""
    lines = _Lines(text, keys)
    whole = [h for h in hits if h.col_start == 0 and h.col_end == -1]
    span = lines.whole_lines(whole)
    out = []
    for hit in whole:
        start = span[hit.first][0]
        out.append((start, span[hit.last][1], *lines.ref_span(hit, start), hit))
    for hit in hits:
        if hit.col_start == 0 and hit.col_end == -1:
            continue
        cut = lines.cut(hit)
        if cut is not None:
            out.append((*cut, *lines.ref_span(hit, cut[0]), hit))
    out.sort(key=lambda x: x[0])
    return out


class _Lines:
    """The lines of a text as `hit_spans` cuts them: where each starts and ends (a "\\r" before its line
    feed is not part of it), and its key."""

    def __init__(self, text: str, keys: list[str]) -> None:
        self.text = text
        self.keys = keys
        lines = text.split("\n")
        self.starts = starts = [0] * len(lines)
        self.ends = ends = [0] * len(lines)
        pos = 0
        for n, line in enumerate(lines):
            starts[n] = pos
            ends[n] = pos + len(line) - (1 if line.endswith("\r") else 0)
            pos += len(line) + 1

    def whole_lines(self, whole: list[Hit]) -> dict[int, tuple[int, int]]:
        """The span of each non-blank line that the ``whole``-line hits remove, separators included.

        Take a run of removed non-blank lines, with the kept non-blank line ``a`` before it and ``b``
        after it.  The output must join ``a`` and ``b`` with one of the separators that stood between
        them: a line break if they were in the same paragraph, else the blank line(s) that ended ``a``'s
        paragraph.  So removed lines of ``a``'s paragraph each take the line break *before* them, and
        later removed lines take everything up to the next non-blank line *after* them (their line break,
        and the blank lines after a removed paragraph).  When nothing is kept after the run, every removed
        line takes the separator before it, so the text keeps its original ending.
        """
        starts, ends = self.starts, self.ends
        removed = set()
        for h in whole:
            removed.update(range(h.first, h.last + 1))
        para_of = {}
        for p, (i, j) in enumerate(paragraphs(self.keys)):
            for n in range(i, j + 1):
                para_of[n] = p
        nonblank = sorted(para_of)
        span: dict[int, tuple[int, int]] = {}
        g = 0
        while g < len(nonblank):
            if nonblank[g] not in removed:
                g += 1
                continue
            h = g
            while h + 1 < len(nonblank) and nonblank[h + 1] in removed:
                h += 1
            a = nonblank[g - 1] if g > 0 else None
            b = nonblank[h + 1] if h + 1 < len(nonblank) else None
            prev = ends[a] if a is not None else 0
            for k in range(g, h + 1):
                n = nonblank[k]
                nxt = nonblank[k + 1] if k < h else b
                if a is not None and (b is None or para_of[n] == para_of[a]):
                    span[n] = (prev, ends[n])
                    prev = ends[n]
                else:
                    span[n] = (starts[n], starts[nxt] if nxt is not None else ends[n])
            g = h + 1
        return span

    def cut(self, hit: Hit) -> tuple[int, int] | None:
        """The span of a sentence run that starts or ends inside a line, cut at the sentence boundary:
        after a cut inside the first line the text goes on with the sentence after the run, on the same
        line, one space between; a run reaching the end of its paragraph takes the space before it
        instead.  None where a line it is cut in has tokens other than its key's."""
        keys = self.keys
        start, end = self.starts[hit.first], self.ends[hit.last]
        if hit.col_start > 0:
            bounds = self.tokens(hit.first)
            if bounds is None:
                return None
            t = keys[hit.first].count(" ", 0, hit.col_start)
            start = bounds[t][0] if hit.col_end >= 0 else bounds[t - 1][1]
        if hit.col_end >= 0:
            bounds = self.tokens(hit.last)
            if bounds is None:
                return None
            end = bounds[keys[hit.last].count(" ", 0, hit.col_end)][0]
        return start, end

    def tokens(self, n: int) -> list[tuple[int, int]] | None:
        """Offsets of the whitespace-separated tokens of line ``n``, if they are its key's tokens."""
        text, start = self.text, self.starts[n]
        raw = text[start : self.ends[n]]
        bounds = [(start + m.start(), start + m.end()) for m in _RAW_TOKEN.finditer(raw)]
        # Line feeds are boundaries NFKC cannot act across, so this normalises each token on its own.
        if normalise("\n".join(text[a:b] for a, b in bounds)).split("\n") != self.keys[n].split(" "):
            return None  # NFKC made or removed a space: no safe cut inside this line
        return bounds

    def ref_span(self, hit: Hit, limit: int) -> tuple[int, int]:
        """The earlier copy: whole lines, or for sentences from the first token of its first sentence
        to the last token of its last; never past ``limit`` (where the removed copy starts)."""
        keys = self.keys
        a, b = self.starts[hit.ref_first], self.ends[hit.ref_last]
        if hit.kind == "sentences":
            first, last = self.tokens(hit.ref_first), self.tokens(hit.ref_last)
            if first is not None and last is not None:
                a = first[keys[hit.ref_first].count(" ", 0, hit.ref_col_start)][0]
                b = last[keys[hit.ref_last].count(" ", 0, hit.ref_col_end - 1)][1]
        return a, min(b, limit)


_RAW_TOKEN = re.compile(r"\S+")


class OffsetMap:
    """Maps offsets of a text obtained by deleting spans back to offsets of the original input."""

    def __init__(self, length: int) -> None:
        self.cur: list[int] = [0]  # start of each kept segment in the current text
        self.orig: list[int] = [0]  # its start in the input
        self.lens: list[int] = [length]

    def pos(self, p: int) -> int:
        """Input offset of the character at current offset ``p``."""
        s = bisect_right(self.cur, p) - 1
        return self.orig[s] + (p - self.cur[s])

    def span(self, a: int, b: int) -> tuple[int, int]:
        return (self.pos(a), self.pos(b - 1) + 1) if b > a else (self.pos(a), self.pos(a))

    def delete(self, spans: list[tuple[int, int]]) -> None:
        """Record that the (sorted, disjoint) current-text ``spans`` were deleted."""
        total = self.cur[-1] + self.lens[-1]
        keep, prev = [], 0
        for a, b in spans:
            if a > prev:
                keep.append((prev, a))
            prev = b
        if prev < total:
            keep.append((prev, total))
        cur, orig, lens = [], [], []
        out = s = 0
        for x, y in keep:
            while x < y:  # a kept piece may straddle segments left by earlier rounds
                while self.cur[s] + self.lens[s] <= x:
                    s += 1
                z = min(y, self.cur[s] + self.lens[s])
                cur.append(out)
                orig.append(self.orig[s] + x - self.cur[s])
                lens.append(z - x)
                out += z - x
                x = z
        self.cur, self.orig, self.lens = cur or [0], orig or [0], lens or [0]
