"""A synthetic collaborative published to every publisher (site, board pack, feed, e-mail)
through the outbox: one publisher that fails leaves the others delivered, and a retry delivers
the rest with no duplicate page, file, row, feed entry or e-mail."""

from __future__ import annotations

import csv
import datetime as dt
import socket
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from collab_board import BoardPublisher, tables_of
from collab_core import Audience, Collaborative
from collab_core.ports import Publication, outbox_key
from collab_core.synthetic import SyntheticCollaborative

SYNTHETIC = SyntheticCollaborative(seed=9, trusts=3, years=2, deaths_per_trust_year=30)
YEAR = SYNTHETIC.financial_years[-1]
AS_OF = YEAR.end + dt.timedelta(days=90)
T0 = dt.datetime.combine(AS_OF, dt.time(9), tzinfo=dt.UTC)
KINDS: list[tuple[str, dict[str, Any]]] = [
    ("headline_targets", {}),
    ("lfd_dashboard", {}),
    ("learning_bulletin", {}),
    ("measure_chart", {"measure": "capability.members"}),
    ("assurance", {}),
]


class _Inbox:
    def __init__(self) -> None:
        self.subjects: list[str] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        content = (envelope.original_content or b"").decode("utf-8", "replace")
        subject = next(line for line in content.splitlines() if line.startswith("Subject:"))
        self.subjects.append(subject.removeprefix("Subject:").strip())
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[_Inbox, int]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    }


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_a_failing_publisher_leaves_the_others_delivered_and_a_retry_duplicates_nothing(
    tmp_path: Path, smtp: tuple[_Inbox, int], store: str
) -> None:
    inbox, port = smtp
    url = "memory://" if store == "memory" else f"sqlite:///{tmp_path / 'collab.db'}"
    site, feed, board = tmp_path / "site", tmp_path / "feed", tmp_path / "board"
    board.write_text("a file where the board pack's folder should be", encoding="utf-8")
    settings: dict[str, dict[str, Any]] = {
        "site": {"folder": str(site)},
        "board": {"folder": str(board)},
        "feed": {"folder": str(feed)},
        "mail": {
            "host": "127.0.0.1",
            "port": port,
            "sender": "learning@collaborative.example",
            "recipients": ["board@trust.example"],
            "starttls": False,
            "timeout": 10,
        },
    }
    with Collaborative.open(url, environ={}, publishers=settings) as collab:
        for batch in SYNTHETIC.batches():
            collab.record(batch.records)  # type: ignore[arg-type]
        published: list[Publication] = []
        for kind, options in KINDS:
            built = collab.publication(
                kind, Audience.PUBLIC, YEAR, as_of=AS_OF, created_at=T0, **options
            )
            entries = collab.publish(built)
            assert sorted(e.publisher for e in entries) == sorted(settings)
            published.append(entries[0].publication)
        n = len(published)

        first = collab.deliver_pending(now=lambda: T0)
        assert Counter(r.publisher for r in first.delivered) == {"site": n, "feed": n, "mail": n}
        assert [name for _, name, _ in first.failed] == ["board"] * n
        assert (site / "index.html").is_file()
        site_files, feed_files = _tree(site), _tree(feed)
        assert len(inbox.subjects) == n

        board.unlink()  # the board pack's folder can be made now
        second = collab.deliver_pending(now=lambda: T0 + dt.timedelta(days=1))
        assert Counter(r.publisher for r in second.delivered) == {"board": n}
        assert second.failed == ()
        third = collab.deliver_pending(now=lambda: T0 + dt.timedelta(days=2))
        assert third.delivered == ()
        assert third.failed == ()

        # An idempotent publisher handed a publication again as the outbox hands it (a crash
        # before the outbox recorded its delivery) keeps one copy.
        board_files = _tree(board)
        for publication in published:
            for name in ("site", "feed", "board"):
                assert getattr(collab.publishers[name], "idempotent", False)
                collab.publishers[name].deliver(publication, key=outbox_key(publication, name))

    assert _tree(site) == site_files, "no page written twice or changed"
    assert _tree(feed) == feed_files, "no feed entry added"
    assert sorted(_tree(board)) == sorted(board_files), "no duplicate file"
    expected = {p.name for pub in published for p in BoardPublisher(board).files(pub)}
    pack = BoardPublisher(board).pack_path("public", YEAR.label)
    assert set(board_files) == expected | {pack.name}, "one board pack for the period"
    for publication in published:
        _, *files = BoardPublisher(board).files(publication)
        for table, path in zip(tables_of(publication), files, strict=True):
            with path.open(encoding="utf-8", newline="") as f:
                assert len(list(csv.reader(f))) == len(table.rows) + 1, "no duplicate row"
    parsed = feedparser.parse(str(feed / "public.atom"))
    ids = [e.id for e in parsed.entries]
    assert len(ids) == len(set(ids))
    assert sorted(inbox.subjects) == sorted(p.title for p in published), "each e-mail once"
