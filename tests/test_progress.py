"""The progress line: what it says, how often it redraws, when it stays silent; and the summary table."""

from __future__ import annotations

import io
import json

from dedupe.report.progress import Progress, format_duration, format_table


class FakeTTY(io.StringIO):
    """A terminal that remembers everything written to it."""

    def isatty(self) -> bool:
        return True


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _progress(total: int | None, **kw) -> tuple[Progress, FakeTTY, FakeClock]:
    stream, clock = FakeTTY(), FakeClock()
    return Progress(total, stream, clock=clock, **kw), stream, clock


def test_rates_percentage_and_eta() -> None:
    p, stream, clock = _progress(100_000_000)
    clock.now += 10
    p.update(docs=25_000, bytes_=20_000_000)  # 2.5k docs/s, 2 MB/s, 20% done, 80 MB left = 40 s
    out = stream.getvalue()
    assert out.startswith("\r") and "\n" not in out
    assert "2.50k docs/s" in out and "2.0 MB/s" in out and " 20%" in out and "ETA 0:40" in out
    assert "[####----------------]" in out and "25.0k docs" in out


def test_unknown_total_shows_amount_and_elapsed() -> None:
    p, stream, clock = _progress(None)
    clock.now += 75
    p.update(docs=750, bytes_=3_000_000)
    out = stream.getvalue()
    assert "750 docs" in out and "10 docs/s" in out and "0.0 MB/s" in out and "3.0 MB" in out
    assert "1:15 elapsed" in out and "ETA" not in out and "%" not in out


def test_throttled_to_the_interval() -> None:
    p, stream, clock = _progress(1_000_000)
    for _ in range(100):  # 100 batches in one second: five redraws at most
        clock.now += 0.01
        p.update(docs=10, bytes_=1000)
    assert stream.getvalue().count("\r") == 5
    assert p.docs == 1000 and p.bytes == 100_000  # every batch counted, drawn or not


def test_first_redraw_waits_one_interval() -> None:
    p, stream, clock = _progress(None)
    p.update(docs=1, bytes_=1)
    assert stream.getvalue() == ""  # a run shorter than the interval never shows a line
    clock.now += 0.2
    p.update(docs=1, bytes_=1)
    assert stream.getvalue().startswith("\rdedupe: 2 docs")


def test_shorter_line_blanks_the_longer_one_and_close_clears() -> None:
    p, stream, clock = _progress(None)
    clock.now += 1
    p.update(docs=123_456, bytes_=10)
    first = stream.getvalue()[1:]
    assert "123k docs/s" in first and "0:01 elapsed" in first
    clock.now += 300
    p.update(docs=0, bytes_=0)  # 410 docs/s: one character shorter
    second = stream.getvalue()[len(first) + 2 :]
    assert "410 docs/s" in second and "5:01 elapsed" in second
    assert second.endswith("elapsed ") and len(second) == len(first)  # padded to cover what was there
    p.close()
    assert stream.getvalue().endswith("\r" + " " * len(first) + "\r")
    written = stream.getvalue()
    p.close()
    p.update(docs=1, bytes_=1)
    assert stream.getvalue() == written  # closed: silent


def test_eta_when_done_or_beyond_total() -> None:
    p, stream, clock = _progress(1000)
    clock.now += 1
    p.update(docs=1, bytes_=1500)  # e.g. a total that was an estimate
    assert "100%" in stream.getvalue() and "ETA 0:00" in stream.getvalue() and "#" * 20 in stream.getvalue()
    assert "ETA ?" in Progress(1000, FakeTTY(), clock=FakeClock()).line()


def test_disabled_when_not_a_terminal() -> None:
    stream, clock = io.StringIO(), FakeClock()
    p = Progress(1000, stream, clock=clock)
    assert not p.enabled
    clock.now += 5
    p.update(docs=10, bytes_=10)
    p.close()
    assert stream.getvalue() == ""


def test_forced_on_and_off() -> None:
    stream, clock = io.StringIO(), FakeClock()
    with Progress(None, stream, enabled=True, clock=clock) as p:
        clock.now += 1
        p.update(docs=5, bytes_=5)
        assert "5 docs" in stream.getvalue()
    assert stream.getvalue().endswith("\r")  # the context manager closed it
    tty = FakeTTY()
    quiet = Progress(None, tty, enabled=False, clock=clock)
    clock.now += 1
    quiet.update(docs=5, bytes_=5)
    assert tty.getvalue() == ""


def test_stream_without_isatty_and_default_stderr(capsys) -> None:
    class Closed(io.StringIO):
        def isatty(self) -> bool:
            raise ValueError("I/O operation on closed file")

    assert not Progress(None, Closed()).enabled
    p = Progress(None, enabled=True, clock=FakeClock())
    p.clock.now += 1  # type: ignore[attr-defined]
    p.update(docs=3, bytes_=0)
    p.close()
    assert "3 docs" in capsys.readouterr().err


def test_format_duration() -> None:
    assert format_duration(0) == "0:00"
    assert format_duration(59.6) == "1:00"
    assert format_duration(3725) == "1:02:05"
    assert format_duration(-3) == "0:00"


def test_format_table() -> None:
    table = format_table([("read", "1,234"), ("kept", "987"), ("removed", "12"), ("output", "out/x.jsonl")])
    assert table.splitlines() == [
        "read     1,234",
        "kept       987",
        "removed     12",
        "output   out/x.jsonl",
    ]
    assert format_table([]) == ""
    assert format_table([("a", "")]) == "a"


def test_a_run_shows_progress_when_asked(tmp_path, capsys, monkeypatch):
    """The runner feeds the progress line with documents and input characters (forced on: not a terminal)."""
    import dedupe.run.corpus
    from dedupe.options import Options
    from dedupe.run.corpus import run_corpus
    from dedupe.run.files import Paths

    class EveryUpdate(Progress):  # redraw on every update, so the test does not depend on the clock
        def __init__(self, *args, **kwargs):
            super().__init__(*args, interval=0.0, **kwargs)

    monkeypatch.setattr(dedupe.run.corpus, "Progress", EveryUpdate)
    src = tmp_path / "in.jsonl"
    src.write_text(
        "".join(json.dumps({"id": i, "text": f"document number {i} with some words"}) + "\n" for i in range(300))
    )
    paths = Paths(str(src), str(tmp_path / "out.jsonl"), tmp_path / "r.jsonl", tmp_path / "p.json")
    report = run_corpus(paths, Options(), progress=True)
    err = capsys.readouterr().err
    assert report["read"] == 300
    assert err.startswith("\rdedupe: [") and "docs/s" in err and "MB/s" in err and "ETA" in err  # size known
    assert "300 docs" in err
    assert err.endswith("\r")  # closed: the line was cleared before the summary
