"""The run's account for machines (JSON) and for people (a short summary on stderr)."""

from __future__ import annotations

from typing import Any

from dedupe.document import Account
from dedupe.version import __version__


def build_report(account: Account, *, options: dict[str, Any], paths: dict[str, str], seconds: float) -> dict:
    """The JSON report: the account first (``read == kept + removed + rejected``), then per-stage counts."""
    stages = {name: dict(sorted(counts.items())) for name, counts in sorted(account.stages.items())}
    return {
        "read": account.read,
        "kept": account.kept,
        "removed": account.removed,
        "rejected": account.rejected,
        "balanced": account.balanced,
        "stages": stages,
        "chars_in": account.chars_in,
        "chars_out": account.chars_out,
        "seconds": round(seconds, 3),
        "paths": paths,
        "options": options,
        "version": __version__,
    }


def summary(report: dict) -> str:
    """A few lines a person reads at the end of a run."""
    stages = report["stages"]

    def stage(name: str, key: str) -> int:
        return int(stages.get(name, {}).get(key, 0))

    chars = report["chars_in"]
    secs = report["seconds"]
    size = f"{chars / 1e6:.1f} M chars" if chars >= 1e6 else f"{chars / 1e3:.1f} K chars"
    rate = f", {chars / 1e6 / secs:.1f} M chars/s" if secs > 0 and chars >= 1e6 else ""
    removed = f"exact {stage('exact', 'removed')}, near {stage('near', 'removed')}"
    for extra in ("repeats", "drop-all"):
        if stage(extra, "removed"):
            removed += f", {extra} {stage(extra, 'removed')}"
    edited = (
        f"normalised {stage('normalize', 'documents_changed')}, "
        f"repeats repaired {stage('repeats', 'documents_changed')} ({stage('repeats', 'blocks')} blocks)"
    )
    if "boilerplate" in stages:
        edited += (
            f", boilerplate removed from {stage('boilerplate', 'documents_changed')} "
            f"({stage('boilerplate', 'lines')} lines, {stage('boilerplate', 'chars')} chars; "
            f"{stage('boilerplate', 'kept whole')} mostly-shared documents kept whole)"
        )
    paths = report["paths"]
    lines = [
        f"dedupe: read {report['read']} documents ({size}) in {secs:.2f} s{rate}",
        f"  kept      {report['kept']:>8}",
        f"  removed   {report['removed']:>8}   ({removed})",
        f"  rejected  {report['rejected']:>8}",
        f"  edited in place: {edited}",
        f"  output: {paths['output']}   removal log: {paths['removed']}   report: {paths['report']}",
    ]
    if "clusters" in report:
        c = report["clusters"]
        lines.append(
            f"  clusters: {c['clusters']} ({c['documents']} documents, largest {c['largest']}): {paths['clusters']}"
        )
    if not report["balanced"]:  # pragma: no cover - would be a bug; say so loudly
        lines.append("  WARNING: the account does not balance (read != kept + removed + rejected)")
    return "\n".join(lines)
