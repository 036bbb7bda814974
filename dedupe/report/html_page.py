"""``dedupe run --html FILE``: the HTML page of a finished run.

The page needs, besides the report, removal log and clusters, the cleaned texts of the few documents it
shows side by side (the largest clusters) and examples of repaired repeats. Rather than hold every text
during the run, the input is read a second time and only those documents are cleaned again; cleaning is
deterministic, so they come out as they did in the run. Standard input cannot be read twice: the page
then has no diffs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from dedupe.cleaning import normalize as normalize_mod
from dedupe.cleaning import repeats as repeats_mod
from dedupe.decide.ids import unique_ids
from dedupe.document import Document
from dedupe.io import InputFormat, atomic
from dedupe.options import Options
from dedupe.report import html as html_report


def write_html(
    target: Path,
    report: dict,
    removed_log: Path,
    opts: Options,
    *,
    input_path: str,
    fmt: InputFormat,
    repaired_ids: list[str],
    cluster_lines: Iterable[dict],
) -> None:
    """``cluster_lines``: the run's clusters as the clusters file has them (see
    :func:`dedupe.decide.clusters.cluster_members`), so the page groups documents as the run does."""
    removals = [json.loads(line) for line in removed_log.read_text(encoding="utf-8").splitlines() if line.strip()]
    clusters = html_report.clusters_from_lines(cluster_lines)
    wanted = html_report.ids_for_diffs(clusters) | set(repaired_ids)
    texts: dict[str, str] = {}
    repairs: list[dict] = []
    if input_path != "-" and wanted:
        for item in unique_ids(fmt.open(input_path).documents):
            if not isinstance(item, Document) or item.id not in wanted:
                continue
            text = item.text
            if opts.normalize:
                text = normalize_mod.clean(
                    text, skip=opts.skip_rules, straight_quotes=opts.straight_quotes, form=opts.unicode_form
                )
            if opts.repeats:
                repaired = repeats_mod.repair(text)
                if item.id in repaired_ids and repaired.removed:
                    repairs.append(html_report.repair_example(item.id, text, repaired.removed))
                text = repaired.text
            texts[item.id] = text
    page = html_report.render_html(
        report, removals, clusters=clusters, texts=texts, repairs=repairs, threshold=opts.threshold
    )
    atomic.write_text(target, page)
