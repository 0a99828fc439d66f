"""``python -m bench``: run every scenario beside its floor at each size, each in its own
subprocess (so that its peak RSS is its own), and write the table.

    python -m bench                    # 10k, 100k and 1M; writes bench/results/latest.{json,md}
    python -m bench --quick            # 10k only, into a temporary folder (CI)
    python -m bench --sizes 10k,100k --only ingest_sqlite,dashboard --out /tmp/b
    python -m bench --child xmr scenario 10000 /tmp/b   # one measurement, as JSON
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench._common import SIZES, Stopwatch, peak_rss_mb

RESULTS = Path(__file__).parent / "results"

#: Every scenario, in the order it runs at each size (ingest_sqlite writes the store that
#: the figures read).
SCENARIOS = (
    "ingest_sqlite",
    "ingest_postgresql",
    "dashboard",
    "dashboard_postgresql_year",
    "dashboard_postgresql_year_unpartitioned",
    "dashboard_postgresql",
    "dashboard_postgresql_unpartitioned",
    "coverage",
    "capability",
    "xmr",
    "serialisation",
    "site",
)
#: Scenarios measured alone (absolute, with the machine noted): there is no raw floor.
NO_FLOOR = {"site"}


Measure = Callable[[int, Path], Stopwatch]


def _functions(name: str) -> tuple[Measure, Measure]:
    from bench import compute, figures, figures_postgresql, ingest

    table: dict[str, tuple[Measure, Measure]] = {
        "ingest_sqlite": (ingest.sqlite_scenario, ingest.sqlite_floor),
        "ingest_postgresql": (ingest.postgresql_scenario, ingest.postgresql_floor),
        "dashboard": (figures.dashboard_scenario, figures.dashboard_floor),
        "coverage": (figures.coverage_scenario, figures.coverage_floor),
        "capability": (figures.capability_scenario, figures.capability_floor),
        "xmr": (compute.xmr_scenario, compute.xmr_floor),
        "serialisation": (compute.serialisation_scenario, compute.serialisation_floor),
        "site": (figures.site_scenario, figures.site_scenario),
        **figures_postgresql.SCENARIOS,
    }
    return table[name]


def _child(name: str, role: str, size: int, workdir: Path) -> None:
    scenario, floor = _functions(name)
    watch = (scenario if role == "scenario" else floor)(size, workdir)
    print(
        json.dumps(
            {
                "seconds": watch.seconds,
                "cpu_seconds": watch.cpu_seconds,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )


def _measure(name: str, role: str, size: int, workdir: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench", "--child", name, role, str(size), str(workdir)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": last}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _pg_version() -> str:
    try:
        import psycopg

        from bench._common import pg_url

        with psycopg.connect(pg_url("postgres"), connect_timeout=3) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else "unknown"
    except Exception as exc:
        return f"not reachable ({type(exc).__name__})"


def _machine() -> dict[str, Any]:
    return {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": _pg_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def _row(name: str, size: int, workdir: Path) -> dict[str, Any]:
    row: dict[str, Any] = {"name": name, "size": size}
    scenario = _measure(name, "scenario", size, workdir)
    floor = {} if name in NO_FLOOR else _measure(name, "floor", size, workdir)
    errors = [
        f"{role}: {r['error']}"
        for role, r in (("scenario", scenario), ("floor", floor))
        if "error" in r
    ]
    seconds, floor_seconds = scenario.get("seconds"), floor.get("seconds")
    cpu, floor_cpu = scenario.get("cpu_seconds"), floor.get("cpu_seconds")
    row.update(
        seconds=None if seconds is None else round(seconds, 4),
        floor_seconds=None if floor_seconds is None else round(floor_seconds, 4),
        ratio=round(seconds / floor_seconds, 2) if seconds and floor_seconds else None,
        peak_rss_mb=scenario.get("peak_rss_mb"),
        floor_peak_rss_mb=floor.get("peak_rss_mb"),
        cpu_seconds=None if cpu is None else round(cpu, 4),
        floor_cpu_seconds=None if floor_cpu is None else round(floor_cpu, 4),
        cpu_ratio=round(cpu / floor_cpu, 2) if cpu and floor_cpu else None,
    )
    if errors:
        row["note"] = "; ".join(errors)
        row["failed"] = True
    elif name in NO_FLOOR:
        row["note"] = "absolute: no raw floor"
    return row


def _label(size: int) -> str:
    return next((k for k, v in SIZES.items() if v == size), str(size))


def markdown(report: dict[str, Any]) -> str:
    """The report as a markdown table, one row per scenario and size."""
    m = report["machine"]
    lines = [
        f"Run {m['when']} on {m['platform']}, {m['cpus']} CPUs, Python {m['python']}, "
        f"SQLite {m['sqlite']}, PostgreSQL {m['postgresql']}; "
        f"load average at start {m['load_average_at_start']}.",
        "",
        "| scenario | size | seconds | floor seconds | ratio | peak RSS MB | floor peak RSS MB "
        "| CPU ratio | note |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]

    def cell(value: object) -> str:
        return "–" if value is None else str(value)

    for r in report["scenarios"]:
        lines.append(
            f"| {r['name']} | {_label(r['size'])} | {cell(r['seconds'])} | "
            f"{cell(r['floor_seconds'])} | {cell(r['ratio'])} | {cell(r['peak_rss_mb'])} | "
            f"{cell(r.get('floor_peak_rss_mb'))} | {cell(r.get('cpu_ratio'))} | "
            f"{r.get('note', '')} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k only, results not kept")
    parser.add_argument("--sizes", default="10k,100k,1M", help="comma-separated: 10k,100k,1M")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--out", type=Path, help="where to write latest.json and latest.md")
    parser.add_argument("--workdir", type=Path, help="where the stores and payloads go")
    parser.add_argument("--child", nargs=4, metavar=("NAME", "ROLE", "SIZE", "WORKDIR"))
    args = parser.parse_args(argv)
    if args.child:
        name, role, size, workdir = args.child
        _child(name, role, int(size), Path(workdir))
        return 0
    sizes = [SIZES["10k"]] if args.quick else [SIZES[s] for s in args.sizes.split(",")]
    names = [n for n in args.only.split(",") if n] or list(SCENARIOS)
    unknown = sorted(set(names) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(unknown)}")
    with tempfile.TemporaryDirectory(prefix="collab-bench-") as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        report: dict[str, Any] = {"machine": _machine(), "scenarios": []}
        for size in sizes:
            for name in names:
                began = time.perf_counter()
                row = _row(name, size, workdir)
                report["scenarios"].append(row)
                took = time.perf_counter() - began
                note = row.get("note", "")
                print(
                    f"{name} {_label(size)}: ratio {row['ratio']} ({took:.0f} s) {note}", flush=True
                )
        out = args.out or (Path(scratch) if args.quick else RESULTS)
        out.mkdir(parents=True, exist_ok=True)
        (out / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
        table = markdown(report)
        (out / "latest.md").write_text(table)
        print(table)
    # Never on time; but a scenario that no longer runs fails the run, so CI notices.
    return 1 if any(r.get("failed") for r in report["scenarios"]) else 0


if __name__ == "__main__":
    raise SystemExit(main())
