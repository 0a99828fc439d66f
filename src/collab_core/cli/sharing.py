"""Sharing: ``collab publish`` (publications built from the store, passed through the privacy
gate and put in the outbox) and ``collab outbox`` (what waits, what was delivered, retrying).

Building publications from the store and dead outbox entries belong to parts of collab_core
that this version does not have yet: the commands say so (exit code 2) rather than guess. Each
is one function below (:func:`build_publications`, :func:`dead_status`), so wiring them is a
change in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import attrs
import typer

from collab_core import Audience, Collaborative, register_type
from collab_core.cli.app import app, open_collaborative, settings
from collab_core.cli.output import EXIT_FAILED, FeatureUnavailableError, Report, Screen
from collab_core.cli.setup import JSON
from collab_core.ports import OutboxEntry, OutboxStatus, Publication
from collab_core.service import DeliveryReport

__all__ = ["OutboxReport", "build_publications", "dead_status"]


def build_publications(
    collab: Collaborative, audiences: Sequence[Audience], kinds: Sequence[str]
) -> list[Publication]:
    """The publications to publish for ``audiences`` and ``kinds``, built from the store and
    passed through the privacy gate for their audience.

    :raises FeatureUnavailableError: this collab_core has no publication builders nor privacy gate.
    """
    builders = getattr(collab, "build_publications", None)
    if builders is None:
        raise FeatureUnavailableError(
            "publish: this collab_core cannot build publications from the store yet (no "
            "publication builders, no privacy gate); Collaborative.publish() takes a "
            "Publication built by your own code in the meantime"
        )
    built: list[Publication] = builders(audiences=audiences, kinds=kinds)
    return built


def dead_status() -> OutboxStatus:
    """The status of outbox entries that will never be retried.

    :raises FeatureUnavailableError: this collab_core's outbox has no dead entries yet.
    """
    dead = OutboxStatus.__members__.get("DEAD")
    if dead is None:
        raise FeatureUnavailableError(
            "outbox --dead: this collab_core's outbox keeps no dead entries yet (a failed entry "
            "stays waiting and is retried by collab outbox --retry)"
        )
    return dead


@app.command()
def publish(
    audience: Annotated[
        list[Audience] | None, typer.Option(help="Only for this audience (repeat for more).")
    ] = None,
    kind: Annotated[
        list[str] | None, typer.Option(help="Only this kind of publication (repeat for more).")
    ] = None,
    json: JSON = False,
) -> None:
    """Build publications from the store for the configured publishers and put them in the
    outbox (collab outbox --retry delivers them)."""
    config = settings()
    with open_collaborative(config, publishers=True) as collab:
        publications = build_publications(collab, audience or list(Audience), kind or [])
        entries: list[OutboxEntry] = []
        for publication in publications:
            entries.extend(collab.publish(publication))
    report = OutboxReport(tuple(entries))
    _show_outbox(Screen(json=json), report, "Put in the outbox")


@attrs.frozen
class OutboxReport:
    """Outbox entries, and the last delivery round when there was one."""

    entries: tuple[OutboxEntry, ...]
    delivery: DeliveryReport | None = None


register_type(OutboxReport, "outbox_report")


@app.command()
def outbox(
    retry: Annotated[
        bool, typer.Option("--retry", help="Deliver every waiting entry now (pending or failed).")
    ] = False,
    dead: Annotated[bool, typer.Option("--dead", help="Only the entries given up on.")] = False,
    json: JSON = False,
) -> None:
    """The outbox: publications waiting for, or delivered by, each publisher. Exits 1 when a
    delivery failed."""
    config = settings()
    status = dead_status() if dead else None
    with open_collaborative(config, publishers=True) as collab:
        delivery = collab.deliver_pending() if retry else None
        entries = tuple(collab.store.outbox(status=status))
    report = OutboxReport(entries, delivery)
    _show_outbox(Screen(json=json), report, "Outbox")
    if delivery is not None and delivery.failed:
        raise typer.Exit(EXIT_FAILED)


def _show_outbox(screen: Screen, report: OutboxReport, title: str) -> None:
    if screen.json:
        screen.result(report)
        return
    table = Report(
        title,
        ["entry", "publisher", "kind", "audience", "status", "attempts", "last error"],
        numeric=(5,),
    )
    for e in report.entries:
        table.add(
            e.id,
            e.publisher,
            e.publication.kind,
            e.publication.audience.value,
            e.status.value,
            e.attempts,
            e.last_error or "",
        )
    if not report.entries:
        table.note("(no entries)")
    if report.delivery is not None:
        table.note(
            f"delivered {len(report.delivery.delivered)}, failed {len(report.delivery.failed)}"
        )
        for entry_id, publisher, error in report.delivery.failed:
            table.note(f"failed: {publisher} entry {entry_id}: {error}")
    screen.show(table)
