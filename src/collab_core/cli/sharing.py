"""Sharing: ``collab publish`` (publications built from the store, passed through the privacy
gate and put in the outbox for the publishers configured in collab.toml) and ``collab outbox``
(what waits, what was delivered, what is dead; delivering now, re-queueing a dead entry).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Annotated, Any

import attrs
import typer

from collab_core import (
    Audience,
    Collaborative,
    ConfigurationError,
    DomainValidationError,
    FinancialYear,
    Month,
    Quarter,
    register_type,
)
from collab_core.cli.app import app, open_collaborative, settings
from collab_core.cli.config import CollabConfig
from collab_core.cli.output import EXIT_FAILED, Report, Screen
from collab_core.cli.setup import JSON
from collab_core.domain.targets import ReportingPeriod
from collab_core.ports import OutboxEntry, OutboxStatus, Publication
from collab_core.service import DeliveryReport

__all__ = ["DEFAULT_KINDS", "OutboxReport", "build_publications", "parse_period"]

#: The kinds ``collab publish`` builds when no ``--kind`` is given: those that need no options.
DEFAULT_KINDS = ("learning_bulletin", "lfd_dashboard", "assurance")


def parse_period(text: str | None, today: dt.date) -> ReportingPeriod:
    """A reporting period from ``--period``: a quarter (``2018/19 Q3``), a financial year
    (``2018/19``) or a month (``2019-01``); by default the last quarter that has ended.

    :raises ConfigurationError: the text is none of these.
    """
    if text is None:
        return Quarter.of(today).previous()
    for parse in (Quarter.parse, FinancialYear.parse):
        try:
            return parse(text)
        except DomainValidationError:
            pass
    try:
        day = dt.date.fromisoformat(f"{text.strip()}-01")
    except ValueError:
        raise ConfigurationError(
            f"--period: a quarter (2018/19 Q3), a financial year (2018/19) or a month (2019-01)"
            f" (got {text!r})"
        ) from None
    return Month.of(day)


def _options(config: CollabConfig, kind: str) -> dict[str, Any]:
    """The options a kind is built with from collab.toml: the trust, and the headline
    targets' goals."""
    options: dict[str, Any] = {}
    if kind in ("learning_bulletin", "lfd_dashboard", "assurance") and config.trust is not None:
        options["trust"] = config.trust.code
    if kind == "headline_targets":
        options.update(
            baseline_on=config.capability_baseline_on,
            deadline=config.capability_deadline,
            growth=config.capability_growth,
        )
    return options


def build_publications(
    collab: Collaborative,
    config: CollabConfig,
    audiences: Sequence[Audience],
    kinds: Sequence[str],
    period: ReportingPeriod,
) -> list[Publication]:
    """The publications of each kind for each audience and the period, built from the store
    and controlled for their audience (the gate checks them when they are published).

    :raises ConfigurationError: an unknown kind, or a kind that needs options collab.toml does
        not give.
    """
    return [
        collab.publication(kind, audience, period, **_options(config, kind))
        for kind in kinds
        for audience in audiences
    ]


def _require_publishers(collab: Collaborative, command: str) -> None:
    if not collab.publishers:
        installed = ", ".join(sorted(collab.plugins.publishers)) or "none installed"
        raise ConfigurationError(
            f"{command}: no publisher is configured: add a [publishers.NAME] table to "
            f"collab.toml (publishers: {installed}; collab plugins lists them)"
        )


@app.command()
def publish(
    audience: Annotated[
        list[Audience] | None,
        typer.Option(help="Only for this audience (repeat for more; default: collab.toml's)."),
    ] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            help="Only this kind of publication (repeat for more; default: "
            + ", ".join(DEFAULT_KINDS)
            + ")."
        ),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            help="A quarter (2018/19 Q3), financial year (2018/19) or month (2019-01); "
            "default: the last quarter that has ended."
        ),
    ] = None,
    json: JSON = False,
) -> None:
    """Build publications from the store, pass each through the privacy gate and put it in
    the outbox for every configured publisher (collab outbox --retry delivers them). Content
    already in the outbox is not queued again. Exits 2 when no publisher is configured."""
    config = settings()
    when = parse_period(period, dt.date.today())
    with open_collaborative(config, publishers=True) as collab:
        _require_publishers(collab, "publish")
        publications = build_publications(
            collab, config, audience or list(config.audiences), kind or DEFAULT_KINDS, when
        )
        entries: list[OutboxEntry] = []
        for publication in publications:
            entries.extend(collab.publish(publication))
    report = OutboxReport(tuple(entries))
    _show_outbox(Screen(json=json), report, f"Put in the outbox ({when.label})")


@attrs.frozen
class OutboxReport:
    """Outbox entries, and the last delivery round when there was one."""

    entries: tuple[OutboxEntry, ...]
    delivery: DeliveryReport | None = None


register_type(OutboxReport, "outbox_report")


@app.command()
def outbox(
    retry: Annotated[
        bool,
        typer.Option(
            "--retry", help="Deliver every due entry now (pending, or failed and past its wait)."
        ),
    ] = False,
    dead: Annotated[
        bool, typer.Option("--dead", help="Only the dead entries (failed on every attempt).")
    ] = False,
    requeue: Annotated[
        str | None,
        typer.Option(help="Put this dead entry (its id) back in the outbox to be tried again."),
    ] = None,
    json: JSON = False,
) -> None:
    """The outbox: publications waiting for, delivered by, or given up on by each publisher.
    Exits 1 when a delivery failed, 2 when --retry finds no publisher configured."""
    config = settings()
    with open_collaborative(config, publishers=retry) as collab:
        if requeue is not None:
            try:
                entry_id = uuid.UUID(requeue)
            except ValueError:
                raise ConfigurationError(
                    f"--requeue: must be an outbox entry's id (got {requeue!r})"
                ) from None
            collab.requeue(entry_id)
        if retry:
            _require_publishers(collab, "outbox --retry")
        delivery = collab.deliver_pending() if retry else None
        entries = tuple(collab.store.outbox(status=OutboxStatus.DEAD if dead else None))
    report = OutboxReport(entries, delivery)
    _show_outbox(Screen(json=json), report, "Dead outbox entries" if dead else "Outbox")
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
            f", dead {len(report.delivery.dead)}"
        )
        for entry_id, publisher, error in report.delivery.failed:
            table.note(f"failed: {publisher} entry {entry_id}: {error}")
    screen.show(table)
