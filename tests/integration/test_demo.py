"""The demonstration runs end to end and reports every headline figure."""

from __future__ import annotations

import importlib.util
import io
import socket
from pathlib import Path

import pytest

from collab_core import demo


def _run(store: str, tmp_path: Path, *, publish: bool = False) -> str:
    out = io.StringIO()
    demo.run(
        store,
        trusts=3,
        deaths_per_trust_year=25,
        out_dir=tmp_path / "charts",
        out=out,
        publish=publish,
    )
    return out.getvalue()


def test_the_demo_reports_every_headline_figure(tmp_path: Path) -> None:
    text = _run("memory://", tmp_path)
    for heading in (
        "Sharing the learning from deaths",
        "Building capability",
        "Learning from Deaths dashboard",
        "27.9 estimate revised",
        "Duty of Candour",
        "overdue",
        "XmR chart",
    ):
        assert heading in text


def test_the_demo_draws_its_chart_when_matplotlib_is_there(tmp_path: Path) -> None:
    if importlib.util.find_spec("matplotlib") is None:
        pytest.skip("matplotlib is not installed (pip install collab-core[charts])")
    _run("memory://", tmp_path)
    svg = (tmp_path / "charts" / "shared-with-collaborative.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml")
    assert (tmp_path / "charts" / "shared-with-collaborative.png").read_bytes()[:4] == b"\x89PNG"


def test_the_demo_runs_on_sqlite_and_a_second_run_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if importlib.util.find_spec("collab_sql") is None:
        pytest.skip("the collab-sql adapter is not installed")
    monkeypatch.chdir(tmp_path)
    first = _run("sqlite:///demo/collab.db", tmp_path)
    second = _run("sqlite:///demo/collab.db", tmp_path)
    assert (tmp_path / "demo" / "collab.db").is_file()
    assert "counted in the store" in first

    def figures(text: str) -> list[str]:
        return [line for line in text.splitlines() if not line.startswith("Wrote")]

    assert figures(first) == figures(second)


def test_an_unknown_store_is_a_clear_error_not_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert demo.main(["--store", "nosuch://x", "--no-charts"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: url: no store serves the scheme 'nosuch'")
    assert "Traceback" not in err


def test_bad_sizes_are_refused_by_the_command_line() -> None:
    with pytest.raises(SystemExit) as caught:
        demo.main(["--trusts", "0"])
    assert caught.value.code == 2


def test_the_demo_publishes_through_every_installed_publisher_and_skips_mail_without_smtp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(demo.SMTP_VARIABLE, raising=False)
    text = _run("memory://", tmp_path, publish=True)
    out = tmp_path / "charts"
    assert "mail: skipped: no SMTP server is configured" in text
    assert (out / "index.html").is_file(), "the site opens in a browser"
    public = 5 + 3  # five kinds for the collaborative, and each of the 3 trusts' dashboards
    assert f"site: {public} delivered; open {out / 'index.html'}" in text
    assert f"board: {public + 3} delivered" in text, "and the trust board's pack"
    assert f"feed: {public} delivered" in text
    assert any((out / "board").glob("lfd-dashboard-trust-board-*.xlsx"))
    assert (out / "feed" / "public.atom").is_file()


def test_the_demo_mails_through_the_smtp_server_it_is_given(tmp_path: Path) -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        out = io.StringIO()
        demo.run(
            "memory://",
            trusts=3,
            deaths_per_trust_year=25,
            out_dir=tmp_path / "out",
            out=out,
            smtp=f"127.0.0.1:{port}",
        )
    finally:
        controller.stop()
    assert f"mail: {5 + 3} delivered; sent through 127.0.0.1:{port}" in out.getvalue()


@pytest.mark.parametrize(
    "url",
    ["postgresql://u:pw-secret@127.0.0.1:notaport/db", "postgresql://u:pw-secret@[::1/db"],
)
def test_a_malformed_store_url_is_a_clear_error_without_the_password(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert demo.main(["--store", url, "--no-charts"]) == 2
    out, err = capsys.readouterr()
    assert err.startswith("error: url: postgresql://… ")
    assert "secret" not in out + err
    assert "Traceback" not in err
