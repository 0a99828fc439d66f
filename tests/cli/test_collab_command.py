"""The ``collab`` command as a user runs it: init, the sample export imported through the
Datix-style mapping, the dashboard as JSON checked against the library's own figures; every
report's --json; exit codes 0, 1 and 2; errors without tracebacks; configuration from
collab.toml and COLLAB_* variables."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from collab_core import (
    CandourCompliance,
    Collaborative,
    Death,
    FinancialYear,
    OverdueActions,
    from_json,
)
from collab_core.cli.reports import DashboardReport, MeasureReport, TargetsReport, dashboard_report
from collab_core.cli.setup import PluginsReport
from collab_core.cli.sharing import OutboxReport
from collab_core.importing import ImportSummary, sample_path
from collab_core.ports import StoreUpgrade

AS_OF = "2020-03-31"
Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def imported(run: Run, tmp_path: Path, needs_sql: None) -> Path:
    run("init")
    run("sample")
    done = run("import", "datix-mortality-sample.csv", "--mapping", "datix-mortality")
    assert "160" in done.stdout
    return tmp_path


def test_init_import_and_the_dashboard_as_json_agree_with_the_library(
    shell: Run, tmp_path: Path, needs_sql: None
) -> None:
    shell("init")
    shell("sample")
    done = shell("import", "datix-mortality-sample.csv", "--mapping", "datix-mortality")
    assert "160" in done.stdout
    imported = tmp_path
    done = shell("dashboard", "--year", "2018/19", "--json", "--as-of", AS_OF)
    report = from_json(DashboardReport, done.stdout)
    with Collaborative.open(f"sqlite:///{imported / 'collab.db'}") as collab:
        assert collab.count(Death) == 160
        expected = dashboard_report(collab, FinancialYear(2018), dt.date.fromisoformat(AS_OF))
        board = collab.lfd_dashboard([FinancialYear(2018)], dt.date.fromisoformat(AS_OF))
        look = collab.lfd_look_back(FinancialYear(2018))
    assert report == expected
    assert report.dashboard == board
    assert report.look_back == look
    year = report.dashboard.collaborative(FinancialYear(2018)).all_ages
    assert year.in_scope > year.reviewed > year.judged > 0
    table = shell("dashboard", "--year", "2018/19", "--as-of", AS_OF).stdout
    assert f"{year.in_scope}" in table
    assert "27.9 estimate revised" in table
    assert "│" not in table  # plain text when not a terminal
    assert "┃" not in table


def test_a_second_import_changes_nothing_and_says_so(run: Run, imported: Path) -> None:
    done = run("import", "datix-mortality-sample.csv", "--mapping", "datix-mortality", "--json")
    summary = from_json(ImportSummary, done.stdout)
    assert (summary.read, summary.committed, summary.rejected) == (160, 160, 0)
    assert (summary.new, summary.changed) == (0, 0)
    assert summary.unchanged == 160 + sum(k.unchanged for k in summary.records if k.kind != "death")


def test_rejected_rows_exit_1_and_name_the_rejects_file_without_echoing_identifiers(
    shell: Run, tmp_path: Path, needs_sql: None
) -> None:
    shell("init")
    text = sample_path().read_text(encoding="utf-8-sig").splitlines()
    text[3] = "9990000018" + text[3][text[3].index(",") :]
    (tmp_path / "dirty.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    done = shell("import", "dirty.csv", "--mapping", "datix-mortality", code=1)
    assert "dirty.csv.rejects.csv" in done.stdout
    assert "holds an NHS number" in done.stdout
    assert "9990000018" not in done.stdout + done.stderr
    assert (tmp_path / "dirty.csv.rejects.csv").is_file()


def test_a_dry_run_writes_nothing(run: Run, tmp_path: Path, needs_sql: None) -> None:
    run("init")
    run("sample")
    done = run("import", "datix-mortality-sample.csv", "-m", "datix-mortality", "--dry-run")
    assert "dry run" in done.stdout
    with Collaborative.open(f"sqlite:///{tmp_path / 'collab.db'}") as collab:
        assert collab.count(Death) == 0


def test_every_report_gives_its_result_object_as_json(run: Run, imported: Path) -> None:
    targets = from_json(TargetsReport, run("targets", "--on", "2019-03-31", "--json").stdout)
    assert [c.audience.value for c in targets.coverage] == ["collaborative", "family"]
    candour = from_json(CandourCompliance, run("candour", "--year", "2018/19", "--json").stdout)
    assert candour.overall.due > 0
    actions = from_json(OverdueActions, run("actions", "--overdue", "--json").stdout)
    assert actions.open == 0
    measure = from_json(
        MeasureReport,
        run("measures", "deaths", "--from", "2017-04", "--to", "2019-03", "--json").stdout,
    )
    assert len(measure.values) == 24
    assert sum(measure.values) == 160
    assert measure.xmr is not None
    plugins = from_json(PluginsReport, run("plugins", "--json").stdout)
    assert "sqlite" in {s.scheme for s in plugins.stores}
    outbox = from_json(OutboxReport, run("outbox", "--json").stdout)
    assert outbox.entries == ()
    upgrade = from_json(StoreUpgrade, run("upgrade", "--json").stdout)
    assert upgrade.before == upgrade.after is not None


def test_the_measure_chart_is_drawn_with_the_existing_renderer(run: Run, imported: Path) -> None:
    pytest.importorskip("matplotlib")
    done = run("measures", "deaths", "--from", "2017-04", "--to", "2019-03", "--chart", "d.svg")
    assert "variation" in done.stdout
    assert (imported / "d.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    run("measures", "deaths", "--run", "--from", "2017-04", "--to", "2019-03", "--chart", "d.png")
    assert (imported / "d.png").read_bytes()[:4] == b"\x89PNG"


def _with_folder_publisher(folder: Path) -> None:
    config = folder / "collab.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("[publishers]\n", '[publishers]\n[publishers.folder]\nfolder = "out"\n', 1),
        encoding="utf-8",
    )


def test_publish_queues_each_publication_once_and_outbox_retry_delivers_it(
    shell: Run, tmp_path: Path, needs_sql: None
) -> None:
    shell("init")
    shell("sample")
    shell("import", "datix-mortality-sample.csv", "--mapping", "datix-mortality")
    _with_folder_publisher(tmp_path)
    args = ("publish", "--period", "2018/19", "--audience", "trust_board", "--json")
    queued = from_json(OutboxReport, shell(*args, "--kind", "learning_bulletin").stdout)
    assert [(e.publisher, e.publication.kind) for e in queued.entries] == [
        ("folder", "learning_bulletin")
    ]
    again = from_json(OutboxReport, shell(*args, "--kind", "learning_bulletin").stdout)
    assert again.entries == queued.entries  # the same content is not queued twice
    both = from_json(OutboxReport, shell(*args, "--kind", "assurance").stdout)
    done = shell("outbox", "--retry")
    assert "delivered 2, failed 0, dead 0" in done.stdout
    (entry,) = queued.entries
    written = sorted(p.name for p in (tmp_path / "out").glob("*.json"))
    assert written == sorted(f"{e.key}.json" for e in (entry, *both.entries))
    listed = from_json(OutboxReport, shell("outbox", "--json").stdout)
    assert {e.status.value for e in listed.entries} == {"delivered"}
    dead = shell("outbox", "--dead")
    assert "(no entries)" in dead.stdout


def test_publish_and_retry_without_a_publisher_say_so_and_exit_2(
    shell: Run, needs_sql: None
) -> None:
    shell("init")
    done = shell("publish", code=2)
    assert "no publisher is configured" in done.stderr
    assert "[publishers.NAME]" in done.stderr
    done = shell("outbox", "--retry", code=2)
    assert "no publisher is configured" in done.stderr
    assert "(no entries)" in shell("outbox").stdout


def test_requeue_and_period_refuse_what_they_cannot_read(run: Run, needs_sql: None) -> None:
    run("init")
    done = run("outbox", "--requeue", "nonsense", code=2)
    assert "--requeue: must be an outbox entry's id" in done.stderr
    done = run("outbox", "--requeue", "0190a1b2-0000-7000-8000-000000000004", code=1)
    assert "outbox entry" in done.stderr
    _with_folder_publisher(Path.cwd())
    done = run("publish", "--period", "last spring", code=2)
    assert "--period: a quarter (2018/19 Q3)" in done.stderr


# -- configuration, usage and exit codes ---------------------------------------------------------


def test_init_writes_a_commented_config_that_loads_and_refuses_to_overwrite(
    run: Run, tmp_path: Path
) -> None:
    run("init", "--trust", "rx2", "--trust-name", "A trust", "--store", "memory://")
    text = (tmp_path / "collab.toml").read_text(encoding="utf-8")
    assert text.startswith("# collab.toml")
    assert 'code = "RX2"' in text
    from collab_core.cli.config import load_config

    config = load_config(tmp_path / "collab.toml", environ={})
    assert (config.store, str(config.trust.code if config.trust else "")) == ("memory://", "RX2")
    assert run("init", code=2).stderr.startswith("error: collab.toml exists")
    run("init", "--force", "--collaborative")
    assert load_config(tmp_path / "collab.toml", environ={}).trust is None


def test_configuration_mistakes_name_the_setting_and_what_is_accepted(
    run: Run, tmp_path: Path
) -> None:
    (tmp_path / "collab.toml").write_text(
        'store = "memory://"\n[trust]\ncode = "R"\n', encoding="utf-8"
    )
    err = run("dashboard", "--year", "2018/19", code=2).stderr
    assert "trust.code (in collab.toml): must be the trust's 3-character ODS code" in err
    (tmp_path / "collab.toml").write_text('stor = "memory://"\n', encoding="utf-8")
    err = run("dashboard", "--year", "2018/19", code=2).stderr
    assert err.startswith("error: stor (in collab.toml): is not a setting (settings: store,")
    (tmp_path / "collab.toml").unlink()
    err = run("candour", env_extra={"COLLAB_CANDOUR_DEADLINE_DAYS": "ten"}, code=2).stderr
    assert (
        "candour.deadline_days (from COLLAB_CANDOUR_DEADLINE_DAYS): must be a whole number" in err
    )
    err = run(
        "dashboard", "--year", "2018/19", env_extra={"COLLAB_STORE": "nosuch://x"}, code=2
    ).stderr
    assert "no store serves the scheme 'nosuch'" in err


def test_environment_variables_win_over_the_file(run: Run, tmp_path: Path) -> None:
    run("init", "--store", "nosuch://x")
    done = run("candour", "--year", "2018/19", "--json", env_extra={"COLLAB_STORE": "memory://"})
    assert json.loads(done.stdout)["type"] == "candour_compliance"


def test_usage_mistakes_exit_2_and_a_bad_mapping_names_its_key(run: Run, tmp_path: Path) -> None:
    run("init", "--store", "memory://")
    assert run("dashboard", code=2).returncode == 2  # --year missing
    assert "--year" in run("dashboard", "--year", "2018", code=2).stderr
    (tmp_path / "m.toml").write_text('[death]\nreference = "r"\n', encoding="utf-8")
    (tmp_path / "x.csv").write_text("r\nA\n", encoding="utf-8")
    err = run("import", "x.csv", "--mapping", "m.toml", code=2).stderr
    assert "death: needs died_on, setting" in err
    err = run("import", "x.csv", "--mapping", "no-such-mapping", code=2).stderr
    assert "no shipped mapping of that name" in err


def test_debug_shows_the_traceback(shell: Run) -> None:
    done = shell(
        "--debug",
        "dashboard",
        "--year",
        "2018/19",
        env_extra={"COLLAB_STORE": "nosuch://x"},
        code=2,
    )
    assert "Traceback" in done.stderr


def test_plugins_lists_hooks_stores_and_failures(run: Run, needs_sql: None) -> None:
    done = run("plugins", "--json")
    report = from_json(PluginsReport, done.stdout)
    sql = next(p for p in report.plugins if p.distribution == "collab-sql")
    assert sql.hooks == ("collab_register_stores",)
    assert set(sql.stores) == {"sqlite", "postgresql", "postgres"}
    builtin = next(p for p in report.plugins if p.name == "collab_core.plugins.builtin")
    assert "memory" in builtin.stores
    assert {s.scheme: s.migrations for s in report.stores}["sqlite"] is True
    assert {s.scheme: s.migrations for s in report.stores}["memory"] is False
    broken = [p for p in report.plugins if p.status == "failed"]
    if any(p.distribution == "collab-broken-plugin" for p in report.plugins):
        assert broken
        assert all(p.error for p in broken)
        assert "failed to load" in run("plugins").stdout


def test_upgrade_runs_the_store_s_migrations_through_its_plugin(run: Run, needs_sql: None) -> None:
    run("init", "--store", "sqlite:///fresh.db")
    assert "upgraded from none to" in run("upgrade").stdout
    assert "already at" in run("upgrade").stdout
    done = run("upgrade", env_extra={"COLLAB_STORE": "memory://"})
    assert "no schema to migrate" in done.stdout


def test_collab_demo_runs_the_demonstration(run: Run) -> None:
    done = run("demo", "--store", "memory://", "--trusts", "2", "--deaths", "10", "--no-charts")
    assert "Learning from Deaths dashboard" in done.stdout


def test_mappings_and_samples_are_listed_and_copied(run: Run, tmp_path: Path) -> None:
    listed = run("mappings").stdout
    for name in ("datix-mortality", "deaths", "reviews", "learning", "sharing", "members"):
        assert name in listed
    run("mappings", "--copy", "datix-mortality")
    assert (tmp_path / "datix-mortality.toml").read_text(encoding="utf-8").startswith("# A Datix")
    assert run("mappings", "--show", "deaths").stdout.startswith("# A plain template")
    run("sample", "--to", "exports")
    assert (tmp_path / "exports" / "datix-mortality-sample.csv").is_file()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u:pw-secret@127.0.0.1:notaport/db",
        "postgresql://u:pw-secret@[::1/db",
        "postgresql://db.example:pw-secret/db",
    ],
)
def test_a_malformed_store_url_exits_2_naming_the_setting_without_the_password(
    run: Run, needs_sql: None, url: str
) -> None:
    done = run("dashboard", "--year", "2018/19", env_extra={"COLLAB_STORE": url}, code=2)
    assert done.stderr.startswith("error: url: postgresql://… ")
    assert "secret" not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr


def test_the_site_publisher_commented_in_collab_toml_publishes_once_uncommented(
    shell: Run, tmp_path: Path, needs_sql: None
) -> None:
    pytest.importorskip("collab_site", reason="the collab-site adapter is not installed")
    shell("init")
    shell("sample")
    shell("import", "datix-mortality-sample.csv", "--mapping", "datix-mortality")
    config = tmp_path / "collab.toml"
    text = config.read_text(encoding="utf-8")
    assert '# [publishers.site]\n# folder = "site/"\n' in text
    config.write_text(
        text.replace(
            '# [publishers.site]\n# folder = "site/"\n', '[publishers.site]\nfolder = "site/"\n'
        ),
        encoding="utf-8",
    )
    shell("publish", "--period", "2018/19", "--audience", "trust_board", "--kind", "assurance")
    assert "delivered 1, failed 0, dead 0" in shell("outbox", "--retry").stdout
    assert (tmp_path / "site" / "index.html").is_file()
