"""A one-line progress display for long runs, and the short table of the final summary.

A run over a crawl takes minutes to hours; a person watching it wants to know that it moves, how fast and
when it will end. The line goes to stderr (stdout may carry the output in a pipe) and is redrawn in place
with a carriage return, at most a few times a second, so a run over millions of small batches spends no
time on it. It is shown only on a terminal: in a log file or a CI job carriage returns are noise.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

#: Seconds between redraws: often enough to look alive, rare enough to cost nothing.
INTERVAL = 0.2
_BAR = 20  # characters of the bar when the total is known


def _count(n: float) -> str:
    """A count in at most five characters (``987``, ``12.3k``, ``4.56M``), so the line does not jitter."""
    for limit, div, unit in ((1e9, 1e9, "G"), (1e6, 1e6, "M"), (1e3, 1e3, "k")):
        if n >= limit:
            v = n / div
            return f"{v:.2f}{unit}" if v < 10 else f"{v:.1f}{unit}" if v < 100 else f"{v:.0f}{unit}"
    return f"{n:.0f}"


def format_duration(seconds: float) -> str:
    """``m:ss`` below an hour, ``h:mm:ss`` above: the form people read at a glance."""
    s = max(0, int(round(seconds)))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    """Documents/s, MB/s and, when ``total_bytes`` is known, a bar, percentage and ETA, on one line.

    ``update(docs, bytes_)`` is called once per batch with what that batch added (increments, not
    totals); it only adds two numbers unless a redraw is due. ``bytes_`` must be in the unit of
    ``total_bytes`` (e.g. bytes of the input file read so far, compressed if the file is). ``enabled``
    defaults to ``stream.isatty()``; pass ``True``/``False`` to force it (``False`` for ``--quiet``).
    ``clock`` is injectable so tests need not sleep. Usable as a context manager, which closes it.
    """

    def __init__(
        self,
        total_bytes: int | None,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        interval: float = INTERVAL,
        label: str = "",
    ) -> None:
        self.total_bytes = total_bytes if total_bytes and total_bytes > 0 else None
        self.stream = sys.stderr if stream is None else stream  # resolved now, so a redirected stderr is used
        self.enabled = _isatty(self.stream) if enabled is None else enabled
        self.clock = clock
        self.interval = interval
        self.docs = 0
        self.bytes = 0
        self.start = clock()
        self._last_draw = self.start  # the first line appears after one interval: short runs show nothing
        self._width = 0  # length of the line on screen, to blank what a shorter line leaves behind
        self._closed = False
        self.label = label  # what is counted, when a run has several passes ("counting lines: ")

    def update(self, docs: int, bytes_: int) -> None:
        """Count one batch; redraw when the last redraw is at least ``interval`` seconds old."""
        self.docs += docs
        self.bytes += bytes_
        if not self.enabled or self._closed:
            return
        now = self.clock()
        if now - self._last_draw >= self.interval:
            self._last_draw = now
            self._draw(self.line(now))

    def line(self, now: float | None = None) -> str:
        """The text of the progress line at ``now`` (default: the clock's time)."""
        elapsed = max((self.clock() if now is None else now) - self.start, 1e-9)
        byte_rate = self.bytes / elapsed
        parts = [f"{_count(self.docs)} docs", f"{_count(self.docs / elapsed)} docs/s", f"{byte_rate / 1e6:.1f} MB/s"]
        if self.total_bytes:
            share = min(1.0, self.bytes / self.total_bytes)
            filled = int(share * _BAR)
            bar = "#" * filled + "-" * (_BAR - filled)
            left = (self.total_bytes - self.bytes) / byte_rate if byte_rate > 0 and share < 1 else 0.0
            eta = format_duration(left) if byte_rate > 0 else "?"
            parts = [f"[{bar}] {share:4.0%}", *parts, f"ETA {eta}"]
        else:
            parts += [f"{self.bytes / 1e6:.1f} MB", f"{format_duration(elapsed)} elapsed"]
        return "dedupe: " + self.label + "  ".join(parts)

    def _draw(self, text: str) -> None:
        pad = " " * max(0, self._width - len(text))
        self.stream.write("\r" + text + pad)
        self.stream.flush()
        self._width = len(text) + len(pad)  # the spaces are on screen too

    def close(self) -> None:
        """Blank the line and return the cursor to its start, so the summary prints on a clean line."""
        if self._closed:
            return
        self._closed = True
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def format_table(rows: list[tuple[str, str]]) -> str:
    """Two aligned columns for the final summary: labels left-aligned; values that start with a digit
    right-aligned so numbers line up by their last digit, other values (paths) left-aligned in the same
    column, so one long path does not push the numbers to the right.

    Example: ``format_table([("read", "1,234"), ("kept", "987")])`` gives ``"read  1,234\nkept    987"``.
    """
    if not rows:
        return ""
    label_w = max(len(label) for label, _ in rows)
    number_w = max((len(value) for _, value in rows if value[:1].isdigit()), default=0)
    lines = []
    for label, value in rows:
        cell = value.rjust(number_w) if value[:1].isdigit() else value
        lines.append(f"{label:<{label_w}}  {cell}".rstrip())
    return "\n".join(lines)
