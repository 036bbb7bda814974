"""The HTML page's boilerplate section: what ``--boilerplate`` removed, and the lines most documents shared."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any


def boilerplate_section(report: Mapping[str, Any]) -> str:
    """The section for a run with ``--boilerplate`` (its report's ``boilerplate`` part); empty otherwise."""
    section = report.get("boilerplate")
    if not section:
        return ""
    counts = (report.get("stages") or {}).get("boilerplate", {})
    changed, lines, chars = (int(counts.get(k, 0)) for k in ("documents_changed", "lines", "chars"))
    whole = int(counts.get("kept whole", 0))
    rows = "".join(
        f'<tr><td class="n">{int(top["documents"]):,}</td><td><code>{escape(top["line"])}</code></td></tr>'
        for top in section.get("top", [])
    )
    table = (
        '<table class="stages"><thead><tr><th class="n">documents</th><th>line</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
        if rows
        else '<p class="muted">No line was shared by enough documents.</p>'
    )
    return (
        '<section id="boilerplate"><h2>Boilerplate</h2>'
        f"<p>A line found in {int(section['min_docs'])} or more documents (exact copies counted once) is "
        f"boilerplate: {int(section['lines_shared']):,} of {int(section['lines_counted']):,} distinct lines. "
        f"Removed {lines:,} lines ({chars:,} characters) from {changed:,} documents; {whole:,} documents that "
        "are mostly shared lines (copies of one article) were kept whole.</p>"
        f"<h3>The lines most documents share</h3>{table}</section>"
    )
