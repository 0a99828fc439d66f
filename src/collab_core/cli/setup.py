"""Setting up: ``collab init`` (a commented ``collab.toml``), ``collab upgrade`` (the store's
schema migrations), ``collab plugins`` (what is installed, and what failed), ``collab demo``,
and the shipped mappings and sample exports (``collab mappings``, ``collab sample``).
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path
from typing import Annotated

import attrs
import typer

from collab_core import ConfigurationError, OdsCode, register_type
from collab_core.cli.app import app, settings
from collab_core.cli.config import DEFAULT_CONFIG, DEFAULT_STORE
from collab_core.cli.output import Report, Screen
from collab_core.importing import load_mapping, shipped_mappings, shipped_samples
from collab_core.plugins.manager import Plugins
from collab_core.ports import StoreUpgrade, redact_url
from collab_core.service import scheme_of

__all__ = ["PluginEntry", "PluginsReport", "config_text"]

JSON = Annotated[
    bool, typer.Option("--json", help="Print the result as JSON (collab_core.to_json).")
]

_TEMPLATE = """\
# collab.toml: the settings of the `collab` command (written by `collab init`).
# Every setting can also come from an environment variable, which wins over this file:
# COLLAB_ and the setting's name in capitals, dots as underscores (store is COLLAB_STORE,
# trust.code is COLLAB_TRUST_CODE, targets.capability_growth is COLLAB_TARGETS_CAPABILITY_GROWTH).
# COLLAB_CONFIG names another file than ./collab.toml.

# Where the records live: sqlite:///collab.db (a file next to where you run collab),
# postgresql://user@host/dbname for a hub shared by several trusts, memory:// for a trial.
store = "{store}"

# The audiences sharing coverage is reported for (collab targets): family, trust_board,
# staff, collaborative, public.
audiences = ["collaborative", "family"]

{trust_block}
[collaborative]
name = "South of England Mental Health Quality & Patient Safety Collaborative"
# A hub that imports every member trust's exports lists the trusts here instead of [trust]:
# [[collaborative.trusts]]
# code = "RX2"
# name = "A mental health trust"
# joined = 2016-04-01

# Publishers deliver publications (collab publish, collab outbox): one table per publisher,
# by the name a plugin registers (collab plugins lists them), holding its settings.
[publishers]
# [publishers.site]
# folder = "site/"

# The collaborative's targets (collab targets): 30% more members who Learn, Live or Lead QI
# by the deadline, against the census on the baseline day.
[targets]
capability_baseline_on = 2017-04-01
capability_deadline = 2019-03-31
capability_growth = "30%"
# A trust's own targets on measures that plugins register:
# [targets.custom.days-to-review]
# measure = "rx2.days-to-review"
# baseline = 90
# baseline_on = 2018-04-01
# goal = 60
# deadline = 2019-03-31
# direction = "down"

# The Duty of Candour deadline: notification in person within this many days of the report.
[candour]
deadline_days = 10
working_days = true

[import]
batch_size = 250
"""

_TRUST = """\
# The trust whose exports you import (collab import records it in the store), and its policy
# for which deaths are in scope (there is no national definition for mental health trusts).
[trust]
code = "{code}"
name = "{name}"
joined = {joined}
# left = 2020-03-31

[trust.scope]
inpatient = true
community_contact_months = 6     # deaths within 6 months of a community contact; false: off
discharge_days = 30              # deaths within 30 days of discharge; false: off
route_ld_autism_to_leder = true
"""


def config_text(
    store: str = DEFAULT_STORE,
    trust: str | None = "RZZ",
    name: str = "Example Mental Health NHS Trust",
    joined: dt.date = dt.date(2016, 4, 1),
) -> str:
    """The text ``collab init`` writes."""
    block = (
        _TRUST.format(code=trust, name=name.replace('"', "'"), joined=joined.isoformat())
        if trust
        else "# Working as the collaborative: no [trust] table (see [collaborative] below).\n"
    )
    return _TEMPLATE.format(store=store, trust_block=block)


@app.command()
def init(
    store: Annotated[str, typer.Option(help="The store URL.")] = DEFAULT_STORE,
    trust: Annotated[
        str, typer.Option(help="The trust's ODS code (an example code by default).")
    ] = "RZZ",
    trust_name: Annotated[str, typer.Option(help="The trust's name.")] = (
        "Example Mental Health NHS Trust"
    ),
    joined: Annotated[
        str, typer.Option(help="When the trust joined the collaborative (YYYY-MM-DD).")
    ] = "2016-04-01",
    collaborative: Annotated[
        bool, typer.Option("--collaborative", help="Configure a hub for many trusts, no [trust].")
    ] = False,
    path: Annotated[Path, typer.Option(help="Where to write the file.")] = DEFAULT_CONFIG,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented collab.toml: the store, the trust (or the collaborative), audiences,
    publishers and targets."""
    if path.exists() and not force:
        raise ConfigurationError(f"{path} exists: pass --force to overwrite it")
    try:
        code = OdsCode(trust).code
        day = dt.date.fromisoformat(joined)
    except ValueError as exc:
        raise ConfigurationError(f"--trust/--joined: {exc}") from None
    text = config_text(store, None if collaborative else code, trust_name, day)
    path.write_text(text, encoding="utf-8")
    screen = Screen()
    screen.say(
        f"Wrote {path}: store {redact_url(store)}" + ("" if collaborative else f", trust {code}")
    )
    screen.say(
        "Next: collab sample, then "
        "collab import datix-mortality-sample.csv --mapping datix-mortality"
    )


@app.command()
def upgrade(json: JSON = False) -> None:
    """Apply the store's pending schema migrations (for a store whose plugin offers them)."""
    config = settings()
    screen = Screen(json=json)
    host = Plugins()
    try:
        scheme = scheme_of(config.store)
        spec = host.store_spec(scheme) or host.store_spec(scheme.partition("+")[0])
        if spec is None:
            known = ", ".join(host.stores) or "none"
            raise ConfigurationError(
                f"store: no store serves the scheme {scheme!r} (known schemes: {known})"
                f"{host.failures_note()}"
            )
        shown = redact_url(config.store)
        if spec.upgrade is None:
            result = StoreUpgrade(shown, None, None)
            screen.say(f"{shown}: the {spec.scheme} store has no schema to migrate; nothing to do")
        else:
            result = spec.upgrade(config.store)
            if result.changed:
                screen.say(
                    f"{result.url}: upgraded from {result.before or 'none'} to {result.after}"
                )
            else:
                screen.say(f"{result.url}: already at {result.after}")
    finally:
        host.close()
    if json:
        screen.result(result)


@attrs.frozen
class PluginEntry:
    """One plugin, as ``collab plugins`` reports it."""

    name: str
    distribution: str | None
    version: str | None
    status: str
    error: str | None
    hooks: tuple[str, ...] = ()
    stores: tuple[str, ...] = ()
    publishers: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()


@attrs.frozen
class StoreEntry:
    """A store scheme, its description and whether it offers migrations."""

    scheme: str
    description: str
    migrations: bool


@attrs.frozen
class PluginsReport:
    """Every plugin considered (loaded, failed with its error, or skipped) and every store."""

    plugins: tuple[PluginEntry, ...]
    stores: tuple[StoreEntry, ...]

    @property
    def failed(self) -> tuple[PluginEntry, ...]:
        return tuple(p for p in self.plugins if p.status == "failed")


register_type(PluginEntry, "plugin_entry")
register_type(StoreEntry, "store_entry")
register_type(PluginsReport, "plugins_report")


@app.command()
def plugins(json: JSON = False) -> None:
    """List every installed plugin with its hooks, stores and publishers, and every plugin
    that failed to load with its error."""
    host = Plugins()
    try:
        entries = []
        for r in host.report:
            given = host.provided_by(r.name)
            entries.append(
                PluginEntry(
                    r.name,
                    r.distribution,
                    r.version,
                    r.status.value,
                    r.error,
                    host.hooks_of(r.name),
                    given["store"],
                    given["publisher"],
                    given["measure"],
                    given["target"],
                )
            )
        stores = tuple(
            StoreEntry(s, spec.description, spec.upgrade is not None)
            for s, spec in host.stores.items()
        )
    finally:
        host.close()
    report = PluginsReport(tuple(entries), stores)
    screen = Screen(json=json)
    if json:
        screen.result(report)
        return
    table = Report("Plugins", ["plugin", "distribution", "status", "hooks", "stores", "publishers"])
    for p in report.plugins:
        dist = f"{p.distribution} {p.version}" if p.distribution else "(built in or by hand)"
        hooks = ", ".join(h.removeprefix("collab_") for h in p.hooks)
        table.add(p.name, dist, p.status, hooks, ", ".join(p.stores), ", ".join(p.publishers))
    for p in report.failed:
        table.note(f"{p.name} failed to load: {p.error}")
    screen.show(table)
    stores_table = Report("Stores", ["scheme", "migrations", "description"])
    for s in report.stores:
        stores_table.add(s.scheme, "yes" if s.migrations else "no", s.description)
    screen.show(stores_table)


@app.command()
def demo(
    store: Annotated[
        str, typer.Option(help="The store to write to.")
    ] = "sqlite:///collab-demo/collab.db",
    trusts: Annotated[int, typer.Option(min=1, help="Member trusts.")] = 16,
    deaths: Annotated[int, typer.Option(min=1, help="Mean deaths per trust per year.")] = 250,
    seed: Annotated[int, typer.Option(help="The same seed makes the same collaborative.")] = 2018,
    out: Annotated[
        Path, typer.Option(help="The folder for charts and what the publishers write.")
    ] = Path("collab-demo"),
    no_charts: Annotated[
        bool, typer.Option("--no-charts", help="Draw no charts and publish nothing.")
    ] = False,
    no_publish: Annotated[
        bool, typer.Option("--no-publish", help="Publish nothing through the publishers.")
    ] = False,
    smtp: Annotated[
        str | None,
        typer.Option(
            envvar="COLLAB_DEMO_SMTP", help="The SMTP server (host:port) to e-mail through."
        ),
    ] = None,
) -> None:
    """Write a synthetic collaborative to a store, print its headline figures, and publish them
    through every installed publisher into the out folder (what python -m collab_core.demo
    does); e-mail only when an SMTP server is given."""
    from collab_core import demo as demonstration  # noqa: PLC0415 - only this command needs it

    demonstration.run(
        store,
        out=sys.stdout,
        trusts=trusts,
        seed=seed,
        deaths_per_trust_year=deaths,
        out_dir=None if no_charts else out,
        publish=not no_publish,
        smtp=smtp,
    )


@app.command()
def mappings(
    copy: Annotated[
        str | None, typer.Option(help="Copy this shipped mapping here, to edit it.")
    ] = None,
    show: Annotated[str | None, typer.Option(help="Print this shipped mapping.")] = None,
) -> None:
    """List the shipped mappings (collab import --mapping NAME), or copy or print one."""
    shipped = shipped_mappings()
    screen = Screen()
    chosen = copy or show
    if chosen is not None:
        if chosen not in shipped:
            raise ConfigurationError(
                f"--copy/--show: no shipped mapping {chosen!r} (shipped: {', '.join(shipped)})"
            )
        if show is not None:
            print(shipped[chosen].read_text(encoding="utf-8"), end="")
            return
        target = Path(f"{chosen}.toml")
        if target.exists():
            raise ConfigurationError(f"{target} exists: remove it first, or edit it")
        shutil.copyfile(shipped[chosen], target)
        screen.say(f"Wrote {target}: change the column names to those of your export")
        return
    table = Report("Shipped mappings", ["name", "records", "title"])
    for name, path in shipped.items():
        mapping = load_mapping(path)
        table.add(name, ", ".join(mapping.kinds), mapping.title)
    screen.show(table)


@app.command()
def sample(
    name: Annotated[str, typer.Argument(help="The sample export.")] = "datix-mortality-sample.csv",
    to: Annotated[Path, typer.Option(help="The folder to write it to.")] = Path(),
) -> None:
    """Write a shipped sample export (synthetic data) to import with its mapping."""
    samples = shipped_samples()
    if name not in samples:
        raise ConfigurationError(
            f"NAME: no shipped sample {name!r} (samples: {', '.join(samples)})"
        )
    to.mkdir(parents=True, exist_ok=True)
    target = to / name
    shutil.copyfile(samples[name], target)
    Screen().say(f"Wrote {target}: import it with collab import {target} --mapping datix-mortality")
