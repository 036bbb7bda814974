"""``dedupe index``: save what a corpus holds, so a later crawl is de-duplicated against it unread."""

from __future__ import annotations

from pathlib import Path

import click

from dedupe import config
from dedupe.cli.group import fail, main
from dedupe.cli.options import (
    INPUT_OPTIONS,
    SIGNATURE_OPTIONS,
    cleaning_options,
    input_format,
    open_source,
    settings,
    with_options,
)
from dedupe.compiled import kernels_for
from dedupe.decide.decider import Decider
from dedupe.document import Account
from dedupe.engines.local import process
from dedupe.io import atomic
from dedupe.io.atomic import OutputExists
from dedupe.run import saved_index


@main.group()
def index() -> None:
    """Saved indexes: de-duplicate a new crawl against an old corpus without rereading it."""


@index.command("build")
@click.argument("input_path", metavar="CORPUS")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="The index folder to write.")
@with_options(SIGNATURE_OPTIONS + INPUT_OPTIONS)
@click.option("--overwrite", is_flag=True, help="Replace an existing index.")
@config.config_option("index.build")
@cleaning_options
def index_build(input_path: str, output: str, overwrite: bool, **kw) -> None:
    """Index CORPUS's documents (its own duplicates are not indexed) for `dedupe run --against`."""
    opts, execution = settings(kw)
    fmt = input_format(kw)
    try:
        atomic.check_writable(Path(output), overwrite=overwrite)
    except OutputExists as err:
        fail(str(err), 2)
    account = Account()
    decider = Decider(opts, account, temp_dir=execution.temp_dir)
    source = open_source(input_path, fmt)
    with kernels_for(source.size, notice=True):  # a small corpus takes the pure-Python paths
        process(
            source.documents,
            opts,
            on_kept=lambda doc: None,
            on_removed=lambda r: None,
            account=account,
            decider=decider,
            execution=execution,
        )
    saved_index.save(decider, Path(output), opts)
    click.echo(
        f"dedupe: indexed {len(decider.index)} documents of {account.read} read "
        f"({account.removed} duplicates, {account.rejected} rejected) into {output}",
        err=True,
    )
