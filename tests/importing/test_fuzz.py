"""The importer fuzzed: arbitrary bytes, wrong encodings, missing and extra columns, bad and
ambiguous dates, duplicates, formulas and huge fields. Whatever the file, the import never
crashes, every row ends committed or refused with a reason, and the counts add up."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collab_core import Collaborative, Death, OdsCode, Trust
from collab_core.importing import MappingError, SourceError, import_file, parse_mapping

MAPPING = parse_mapping(
    {
        "mapping": {"date_formats": ["%d/%m/%Y", "%m/%d/%Y", "%Y-%m-%d"], "max_text_length": 500},
        "translations": {"where": {"Ward": "inpatient", "Home": "community"}},
        "death": {
            "reference": "ref",
            "died_on": "died",
            "setting": {"column": "where", "translate": "where"},
            "age": "age",
            "learning_disability": "ld",
        },
        "review": {
            "when": "review",
            "reference": "ref",
            "death": "ref",
            "response_type": "review",
            "started_on": "started",
            "completed_on": "done",
            "scores": {"a": {"column": "score", "scale": "rcp-sjr-avoidability", "version": 1}},
        },
        "candour_case": {
            "when": "notifiable",
            "reference": "ref",
            "death": "ref",
            "reported_on": "died",
            "notifiable": "notifiable",
        },
    },
    "fuzz.toml",
)
COLUMNS = ["ref", "died", "where", "age", "ld", "review", "started", "done", "score", "notifiable"]

_cells = st.one_of(
    st.sampled_from(
        [
            "",
            "W1",
            "W2",
            "w1",
            "Ward",
            "Home",
            "Hospice",
            "sjr",
            "psii",
            "screening",
            "Y",
            "N",
            "maybe",
            "71",
            "-3",
            "200",
            "4.5",
            "3",
            "9",
            "03/04/2018",
            "25/12/2018",
            "12/25/2018",
            "2018-02-30",
            "31/02/2018",
            "2018-06-01",
            "=cmd|' /C calc'!A0",
            "@SUM(A1)",
            "+1+1",
            "9990000018",
            "999 000 0026",
            "a\x00b",
            "x" * 600,
            "é",
            "\ufffd",
            "\r\n",
        ]
    ),
    st.text(max_size=20),
)
_rows = st.lists(st.lists(_cells, min_size=0, max_size=13), max_size=25)


def _csv(header: list[str], rows: list[list[str]], delimiter: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _expected_rows(path: Path, encoding: str, delimiter: str) -> int:
    with path.open(encoding=encoding, errors="replace", newline="") as f:
        reader = csv.reader(f, delimiter=delimiter)
        count = -1  # the header
        header_seen = False
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error:
                count += 1
                continue
            if not header_seen:
                if any(c.strip() for c in row):
                    header_seen, count = True, 0
                continue
            if any(c.strip() for c in row):
                count += 1
    return count


def _run(data: bytes) -> tuple[int, int] | None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        path.write_bytes(data)
        with Collaborative.open("memory://", load_entry_points=False) as collab:
            collab.record([Trust(OdsCode("RZZ"), "Example", dt.date(2016, 4, 1))])
            try:
                summary = import_file(collab, path, MAPPING, trust="RZZ", batch_size=4)
            except (MappingError, SourceError):
                return None  # refused before any row is read: nothing written or counted
            assert summary.read == summary.committed + summary.rejected
            rejects = Path(folder) / "export.csv.rejects.csv"
            if summary.rejected:
                with rejects.open(encoding="utf-8-sig", newline="") as f:
                    refused = list(csv.DictReader(f))
                assert len(refused) == summary.rejected
                assert all(r["reason"] and r["field"] for r in refused)
                text = rejects.read_text(encoding="utf-8-sig")
                assert "9990000018" not in text
                assert "999 000 0026" not in text
                for r in refused:
                    assert not any(v.startswith(("=", "@", "+")) for v in r.values() if v)
            else:
                assert not rejects.exists()
            assert collab.count(Death) <= summary.committed
            assert summary.read == _expected_rows(
                path, summary.encoding or "utf-8", summary.delimiter or ","
            )
            return summary.committed, summary.rejected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=_rows,
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    shuffle=st.randoms(use_true_random=False),
    drop=st.integers(0, 3),
)
def test_any_export_ends_every_row_committed_or_refused(
    rows: list[list[str]], delimiter: str, encoding: str, shuffle: object, drop: int
) -> None:
    header = list(COLUMNS)
    shuffle.shuffle(header)  # type: ignore[attr-defined]
    header = header + ["notes"] * (drop % 2)  # an extra column
    if drop == 3:
        header = header[1:]  # a mapped column missing: a mapping error before any row
    text = _csv(header, rows, delimiter)
    _run(
        text.encode(encoding.replace("-sig", ""), errors="replace")
        if encoding != "utf-8-sig"
        else text.encode("utf-8-sig")
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_after_a_good_header_never_crash_the_import(data: bytes) -> None:
    _run(",".join(COLUMNS).encode() + b"\r\n" + data)


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_as_the_whole_file_never_crash_the_import(data: bytes) -> None:
    _run(data)


def test_a_huge_field_is_one_refused_row_and_the_next_row_still_imports() -> None:
    huge = "x" * 200_000
    text = _csv(COLUMNS, [["W9", "25/05/2018", "Ward", "40", "N", "", "", "", "", ""]], ",")
    text = text.replace("\r\n", "\n")
    lines = [COLUMNS, ["W1", "01/05/2018", "Ward", huge, "N", "", "", "", "", ""]]
    body = _csv(*lines[:1], lines[1:], ",") + text.split("\n", 1)[1]
    assert _run(body.encode()) == (1, 1)
