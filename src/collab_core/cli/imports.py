"""``collab import``: an export through a mapping into the store, with a progress bar on long
files, the summary at the end, and the refused rows in ``<file>.rejects.csv``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from collab_core import ConfigurationError, OdsCode
from collab_core.cli.app import app, open_collaborative, settings
from collab_core.cli.output import EXIT_FAILED, Report, Screen
from collab_core.cli.setup import JSON
from collab_core.importing import ImportProgress, ImportSummary, import_file, load_mapping
from collab_core.ports import Record

__all__ = ["show_summary"]


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="The export: a CSV or XLSX file.")],
    mapping: Annotated[
        str,
        typer.Option(
            "--mapping", "-m", help="A mapping file, or a shipped mapping's name (collab mappings)."
        ),
    ],
    trust: Annotated[
        str | None,
        typer.Option(help="The trust whose export it is (default: [trust] code in collab.toml)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and count everything; write nothing.")
    ] = False,
    json: JSON = False,
) -> None:
    """Import an export through a mapping: every row is committed, or written with its reasons
    to FILE.rejects.csv. Exits 1 when any row was refused."""
    config = settings()
    chosen = load_mapping(mapping)  # a mapping mistake is reported before anything is opened
    code = OdsCode(trust) if trust else (config.trust.code if config.trust else None)
    prepare: list[Record] = []
    if code is not None:
        known = config.known_trust(code)
        if known is not None:
            prepare.append(known.trust())
        elif trust is None:
            raise ConfigurationError(f"trust: {code} is not described in the configuration")
    screen = Screen(json=json)
    with (
        open_collaborative(config) as collab,
        screen.progress(f"Importing {file.name}", "bytes") as bar,
    ):

        def progress(p: ImportProgress) -> None:
            bar(p.done, p.total)

        summary = import_file(
            collab,
            file,
            chosen,
            trust=code,
            dry_run=dry_run,
            batch_size=config.batch_size,
            progress=progress,
            prepare=prepare,
        )
    if json:
        screen.result(summary)
    else:
        show_summary(screen, summary)
    if summary.rejected:
        raise typer.Exit(EXIT_FAILED)


def show_summary(screen: Screen, summary: ImportSummary) -> None:
    """The summary table of an import, and its commonest reasons."""
    how = f"{summary.format.upper()}"
    if summary.encoding:
        how += f", {summary.encoding}"
    if summary.delimiter:
        how += f", delimiter {summary.delimiter!r}"
    verb = "Checked (dry run, nothing written)" if summary.dry_run else "Imported"
    screen.say(f"{verb} {Path(summary.source).name} with the {summary.mapping} mapping ({how})")
    rows = Report("Rows", ["read", "committed", "rejected"], numeric=(0, 1, 2))
    rows.add(f"{summary.read:,}", f"{summary.committed:,}", f"{summary.rejected:,}")
    if summary.rejects_file:
        rows.note(f"Rejected rows, with their reasons: {summary.rejects_file}")
    screen.show(rows)
    records = Report("Records", ["kind", "new", "changed", "unchanged"], numeric=(1, 2, 3))
    for k in summary.records:
        records.add(k.kind, f"{k.new:,}", f"{k.changed:,}", f"{k.unchanged:,}")
    screen.show(records)
    if summary.reasons:
        reasons = Report("Why rows were rejected", ["rows", "column", "reason"], numeric=(0,))
        for r in summary.reasons[:10]:
            reasons.add(f"{r.rows:,}", r.field, r.reason)
        screen.show(reasons)
