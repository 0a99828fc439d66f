"""Importing exports: mappings checked before any row is read, every row accounted for, rejects
that leak nothing, keys that make re-imports change nothing, and the readers' encodings,
delimiters and workbooks."""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from pathlib import Path

import openpyxl
import pytest
from collab_exports import HEADER, TEST_NHS_NUMBER, clean_rows, write_csv

from collab_core import (
    CandourCase,
    Collaborative,
    Death,
    DeathSetting,
    FinancialYear,
    LearningItem,
    OdsCode,
    Review,
)
from collab_core.importing import (
    IMPORT_NAMESPACE,
    ImportProgress,
    MappingError,
    SourceError,
    import_file,
    import_key,
    load_mapping,
    parse_mapping,
    sample_path,
    shipped_mappings,
)

SAMPLE_ROWS = 160


def _rejects(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _write(tmp_path: Path, rows: list[list[str]], name: str = "export.csv", **kw: object) -> Path:
    path = tmp_path / name
    write_csv(path, rows, **kw)  # type: ignore[arg-type]
    return path


# -- the shipped mappings and sample ------------------------------------------------------------


def test_every_shipped_mapping_loads_and_fills_the_kinds_the_issue_lists() -> None:
    kinds = {name: load_mapping(name).kinds for name in shipped_mappings()}
    assert kinds["datix-mortality"] == ("death", "review", "candour_case")
    assert {k for ks in kinds.values() for k in ks} == {
        "death",
        "review",
        "learning_item",
        "sharing",
        "member",
        "assessment",
        "candour_case",
    }


def test_the_shipped_sample_is_what_the_generator_makes(tmp_path: Path) -> None:
    made = _write(tmp_path, clean_rows(SAMPLE_ROWS, seed=2018))
    assert made.read_bytes() == sample_path().read_bytes()


def test_the_sample_imports_cleanly_and_gives_the_library_s_own_figures(
    collab: Collaborative, tmp_path: Path
) -> None:
    copy = tmp_path / "sample.csv"
    copy.write_bytes(sample_path().read_bytes())
    summary = import_file(collab, copy, "datix-mortality", trust="RZZ")
    assert (summary.read, summary.committed, summary.rejected) == (SAMPLE_ROWS, SAMPLE_ROWS, 0)
    assert summary.rejects_file is None
    assert not (tmp_path / "sample.csv.rejects.csv").exists()
    assert collab.count(Death) == SAMPLE_ROWS
    with copy.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert collab.count(Review) == sum(1 for r in rows if r["Mortality Review Type"])
    assert collab.count(CandourCase) == sum(1 for r in rows if r["Duty of Candour Applies"])
    first = rows[0]
    death = collab.get(Death, import_key("RZZ", "death", first["Incident Reference"]))
    assert death.case_ref.local_id == first["Incident Reference"]
    assert death.died_on == dt.datetime.strptime(first["Incident Date"][:10], "%d/%m/%Y").date()


# -- keys and idempotency ------------------------------------------------------------------------


def test_keys_are_name_based_uuids_of_owner_kind_and_reference() -> None:
    assert import_key("rzz", "death", " w123 ") == uuid.uuid5(IMPORT_NAMESPACE, "RZZ/death/W123")
    assert import_key("RZZ", "death", "W123") != import_key("RZY", "death", "W123")
    assert import_key("RZZ", "death", "W123") != import_key("RZZ", "review", "W123")


def test_importing_twice_changes_nothing_and_a_corrected_file_changes_only_its_corrections(
    collab: Collaborative, tmp_path: Path
) -> None:
    rows = clean_rows(40, seed=7)
    path = _write(tmp_path, rows)
    first = import_file(collab, path, "datix-mortality", trust="RZZ")
    assert first.new == first.read + sum(1 for r in rows if r[10]) + sum(1 for r in rows if r[16])
    versions = {d.id: collab.store.get(Death, d.id).version for d in collab.records(Death)}  # type: ignore[union-attr]
    again = import_file(collab, path, "datix-mortality", trust="RZZ")
    assert (again.new, again.changed, again.unchanged) == (0, 0, first.new)
    assert {d.id: collab.store.get(Death, d.id).version for d in collab.records(Death)} == versions  # type: ignore[union-attr]
    rows[3][HEADER.index("Age at Death")] = "77" if rows[3][5] != "77" else "78"
    rows[5][HEADER.index("Location Type")] = (
        "Inpatient ward" if rows[5][4] != "Inpatient ward" else "Community team"
    )
    corrected = import_file(collab, _write(tmp_path, rows), "datix-mortality", trust="RZZ")
    deaths = {k.kind: k for k in corrected.records}["death"]
    assert (deaths.new, deaths.changed, deaths.unchanged) == (0, 2, 38)
    changed = collab.get(Death, import_key("RZZ", "death", rows[3][0]))
    assert str(changed.age) == rows[3][5]


# -- mapping errors come before any row --------------------------------------------------------


def test_a_mapping_error_names_the_mapping_key_before_any_row_is_read(
    collab: Collaborative, tmp_path: Path
) -> None:
    path = _write(tmp_path, clean_rows(5))
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[death]\nreference = "Incident Reference"\ndied_on = "Date Of Death"\n'
        'setting = "Location Type"\nagge = "Age at Death"\n',
        encoding="utf-8",
    )
    with pytest.raises(MappingError) as caught:
        import_file(collab, path, bad, trust="RZZ")
    assert any(p.startswith("death.agge: is not a field of death") for p in caught.value.problems)
    fixed = bad.read_text(encoding="utf-8").replace('agge = "Age at Death"\n', "")
    bad.write_text(fixed, encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        import_file(collab, path, bad, trust="RZZ")
    assert caught.value.problems[0].startswith(
        "death.died_on: the column 'Date Of Death' is not in the file"
    )
    assert collab.count(Death) == 0
    assert not (tmp_path / "export.csv.rejects.csv").exists()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[death]\nreference = "r"\n', "death: needs died_on, setting"),
        ('[deaths]\nreference = "r"\n', "deaths: is not a kind of record"),
        (
            '[mapping]\nencoding = "latin-9"\n[death]\nreference="r"\ndied_on="d"\nsetting="s"\n',
            "mapping.encoding",
        ),
        (
            '[death]\nreference="r"\ndied_on="d"\nsetting={column="s", translate="nope"}\n',
            "death.setting.translate",
        ),
        (
            '[translations.s]\n"Ward" = "ward"\n[death]\nreference="r"\ndied_on="d"\n'
            'setting={column="s", translate="s"}\n',
            "death.setting.translate: 'ward' translates",
        ),
        (
            '[review]\nreference="r"\ndeath="d"\nresponse_type="t"\nstarted_on="s"\n[review.scores.x]\ncolumn="c"\nscale="nope"\n',
            "review.scores.x.scale",
        ),
        (
            '[constants]\ntrust = "toolong"\n[death]\nreference="r"\ndied_on="d"\nsetting="s"\n',
            "constants.trust",
        ),
    ],
)
def test_each_rule_of_the_mapping_format_names_its_key(text: str, key: str) -> None:
    import tomllib

    with pytest.raises(MappingError) as caught:
        parse_mapping(tomllib.loads(text), "m.toml")
    assert any(p.startswith(key) for p in caught.value.problems), caught.value.problems


def test_records_that_need_a_trust_need_one_given(collab: Collaborative, tmp_path: Path) -> None:
    with pytest.raises(MappingError, match=r"constants\.trust"):
        import_file(collab, _write(tmp_path, clean_rows(3)), "datix-mortality")


def test_a_file_that_is_not_there_or_not_a_workbook_is_a_source_error(
    collab: Collaborative, tmp_path: Path
) -> None:
    with pytest.raises(SourceError, match="no such file"):
        import_file(collab, tmp_path / "missing.csv", "datix-mortality", trust="RZZ")
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(SourceError):
        import_file(collab, fake, "datix-mortality", trust="RZZ")


# -- every row accounted for ----------------------------------------------------------------------


def test_refused_rows_go_to_the_rejects_file_with_column_rule_and_masked_numbers(
    collab: Collaborative, tmp_path: Path
) -> None:
    rows = clean_rows(6, seed=3)
    rows[1][HEADER.index("Incident Date")] = "31/02/2018"
    rows[2][HEADER.index("Incident Reference")] = TEST_NHS_NUMBER
    rows[3][HEADER.index("Location Type")] = "=cmd|' /C calc'!A0"
    rows[3][HEADER.index("Description")] = f"GP letter {TEST_NHS_NUMBER}"
    path = _write(tmp_path, rows)
    summary = import_file(collab, path, "datix-mortality", trust="RZZ")
    assert (summary.read, summary.committed, summary.rejected) == (6, 3, 3)
    rejects = _rejects(path.with_name("export.csv.rejects.csv"))
    assert [r["row"] for r in rejects] == ["3", "4", "5"]
    by_row = {r["row"]: r for r in rejects}
    assert by_row["3"]["field"] == "Incident Date"
    assert "death.died_on is not a date" in by_row["3"]["reason"]
    assert by_row["4"]["field"] == "Incident Reference"
    assert "holds an NHS number" in by_row["4"]["reason"]
    assert by_row["4"]["Incident Reference"] == "<NHS number>"
    assert by_row["5"]["Location Type"].startswith("'=cmd")  # shown as text, never run
    assert by_row["5"]["Description"] == "GP letter <NHS number>"
    text = path.with_name("export.csv.rejects.csv").read_text(encoding="utf-8-sig")
    assert TEST_NHS_NUMBER not in text
    assert all(TEST_NHS_NUMBER not in r.reason for r in summary.reasons)
    assert collab.count(Death) == 3


def test_rows_with_more_or_fewer_values_than_the_header_are_refused_whole(
    collab: Collaborative, tmp_path: Path
) -> None:
    rows = clean_rows(4, seed=5)
    rows[1] = [*rows[1], "stray"]
    rows[2] = rows[2][:-4]
    path = _write(tmp_path, rows)
    summary = import_file(collab, path, "datix-mortality", trust="RZZ")
    assert (summary.committed, summary.rejected) == (2, 2)
    extra = {r["row"]: r for r in _rejects(path.with_name("export.csv.rejects.csv"))}["3"]
    assert extra["extra"] == "stray"


def test_a_batch_that_breaks_a_cross_record_rule_refuses_only_its_bad_rows(
    collab: Collaborative, tmp_path: Path
) -> None:
    deaths = tmp_path / "deaths.csv"
    deaths.write_text(
        "reference,died_on,setting,age,last_contact_on,discharged_on,learning_disability,autistic\n"
        "D1,2018-05-01,inpatient,70,,,,\nD2,2018-06-01,community,50,2018-05-01,,N,N\n",
        encoding="utf-8",
    )
    import_file(collab, deaths, "deaths", trust="RZZ")
    reviews = tmp_path / "reviews.csv"
    lines = [
        "reference,death_reference,response_type,started_on,completed_on,signed_off_on,red_flags,rcp_avoidability,hogan_preventability,care_rating"
    ]
    for i in range(30):
        death = "D1" if i % 3 else "NOSUCH"
        lines.append(f"R{i},{death},sjr,2018-07-01,2018-08-01,,,{1 + i % 6},,")
    reviews.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = import_file(collab, reviews, "reviews", trust="RZZ", batch_size=7)
    assert (summary.read, summary.committed, summary.rejected) == (30, 20, 10)
    rejects = _rejects(tmp_path / "reviews.csv.rejects.csv")
    assert {r["field"] for r in rejects} == {"death_reference"}
    assert all("names a death that is not recorded" in r["reason"] for r in rejects)
    assert collab.count(Review) == 20


def test_two_rows_giving_one_record_other_values_are_told_from_copies(
    collab: Collaborative, tmp_path: Path
) -> None:
    rows = clean_rows(5, seed=11)
    copy = list(rows[1])
    conflict = list(rows[2])
    conflict[HEADER.index("Age at Death")] = "101" if conflict[5] != "101" else "102"
    rows += [copy, conflict]
    path = _write(tmp_path, rows)
    summary = import_file(collab, path, "datix-mortality", trust="RZZ", batch_size=2)
    assert (summary.read, summary.committed, summary.rejected) == (7, 6, 1)
    (reject,) = _rejects(path.with_name("export.csv.rejects.csv"))
    assert reject["row"] == "8"
    assert "given other values on row 4" in reject["reason"]


def test_learning_items_gather_their_actions_row_by_row_across_batches(
    collab: Collaborative, tmp_path: Path
) -> None:
    path = tmp_path / "learning.csv"
    header = (
        "reference,title,what_was_learnt,recorded_on,review_references,themes,signed_off_on,"
        "action_reference,action,owner_role,due_on,status,completed_on,impact_rating,"
        "impact_assessed_on,impact_summary"
    )
    item = "L1,Handover,Risk information was lost,2018-06-01,,,"
    body = [
        f"{item},A1,Checklist,Ward manager,2018-09-01,planned,,,,",
        f"{item},A2,Audit,Matron,2018-10-01,completed,2018-09-20,some_impact,2018-12-01,Fewer",
        "L2,Follow-up,Weekend follow-up was missed,2018-07-01,,,,,,,,,,,,",
        f"{item},A3,Training,Clinical lead,2018-11-01,in_progress,,,,",
    ]
    path.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    summary = import_file(collab, path, "learning", trust="RZZ", batch_size=2)
    assert (summary.committed, summary.rejected) == (4, 0)
    item = collab.get(LearningItem, import_key("RZZ", "learning_item", "L1"))
    assert [a.description for a in item.actions] == ["Checklist", "Audit", "Training"]
    assert item.actions[1].impact is not None
    assert collab.get(LearningItem, import_key("RZZ", "learning_item", "L2")).actions == ()
    again = import_file(collab, path, "learning", trust="RZZ")
    assert (again.new, again.changed) == (0, 0)


def test_a_dry_run_checks_everything_and_writes_nothing(
    collab: Collaborative, tmp_path: Path
) -> None:
    rows = clean_rows(12, seed=13)
    rows[4][HEADER.index("Incident Date")] = "someday"
    path = _write(tmp_path, rows)
    summary = import_file(collab, path, "datix-mortality", trust="RZZ", dry_run=True, batch_size=5)
    assert summary.dry_run
    assert (summary.read, summary.committed, summary.rejected) == (12, 11, 1)
    assert collab.count(Death) == 0
    assert collab.count(Review) == 0
    assert summary.new == {k.kind: k for k in summary.records}["death"].new + sum(
        k.new for k in summary.records if k.kind != "death"
    )


def test_progress_is_reported_after_every_batch(collab: Collaborative, tmp_path: Path) -> None:
    seen: list[ImportProgress] = []
    path = _write(tmp_path, clean_rows(25, seed=17))
    import_file(collab, path, "datix-mortality", trust="RZZ", batch_size=10, progress=seen.append)
    assert [p.read for p in seen] == [10, 20, 25]
    assert seen[-1].done == seen[-1].total == path.stat().st_size
    assert seen[-1].unit == "bytes"


# -- readers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ";"), ("cp1252", "\t"), ("cp1252", "|"), ("utf-8", ";")],
)
def test_encodings_and_delimiters_are_found_by_themselves(
    collab: Collaborative, tmp_path: Path, encoding: str, delimiter: str
) -> None:
    rows = clean_rows(8, seed=19)
    rows[0][HEADER.index("Description")] = "Café meeting – the family’s questions; answered"
    path = _write(tmp_path, rows, encoding=encoding, delimiter=delimiter)
    summary = import_file(collab, path, "datix-mortality", trust="RZZ")
    assert summary.delimiter == delimiter
    assert (
        summary.encoding
        == {"cp1252": "cp1252", "utf-8": "utf-8", "utf-8-sig": "utf-8-sig"}[encoding]
    )
    assert (summary.committed, summary.rejected) == (8, 0)


def test_an_xlsx_workbook_imports_with_its_dates_and_numbers(
    collab: Collaborative, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        [
            *("reference", "died_on", "setting", "age", "learning_disability", "autistic"),
            *("last_contact_on", "discharged_on", "formula"),
        ]
    )
    sheet.append(
        ["X1", dt.datetime(2018, 5, 2, 10, 30), "Inpatient", 71, True, None, None, None, "=1+1"]
    )
    sheet.append(["X2", "03/06/2018", "community", 44.0, "N", "N", "2018-05-01", None])
    sheet.append([None] * 9)
    sheet.append(["X3", 43000, "community", 50, "no", None, None, None])
    path = tmp_path / "deaths.xlsx"
    book.save(path)
    summary = import_file(collab, path, "deaths", trust="RZZ")
    assert (summary.format, summary.read, summary.committed, summary.rejected) == ("xlsx", 3, 2, 1)
    x1 = collab.get(Death, import_key("RZZ", "death", "X1"))
    assert (x1.died_on, x1.age, x1.learning_disability, x1.setting) == (
        dt.date(2018, 5, 2),
        71,
        True,
        DeathSetting.INPATIENT,
    )
    (reject,) = _rejects(tmp_path / "deaths.xlsx.rejects.csv")
    assert reject["row"] == "5"
    assert "not a number" in reject["reason"]


def test_ambiguous_dates_are_refused_rather_than_guessed(
    collab: Collaborative, tmp_path: Path
) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        '[mapping]\ndate_formats = ["%d/%m/%Y", "%m/%d/%Y"]\n'
        '[death]\nreference = "reference"\ndied_on = "died_on"\nsetting = "setting"\n',
        encoding="utf-8",
    )
    path = tmp_path / "d.csv"
    path.write_text(
        "reference,died_on,setting\nA,03/04/2018,inpatient\nB,25/04/2018,inpatient\nC,05/05/2018,inpatient\n",
        encoding="utf-8",
    )
    summary = import_file(collab, path, mapping, trust="RZZ")
    assert (summary.committed, summary.rejected) == (2, 1)
    (reject,) = _rejects(tmp_path / "d.csv.rejects.csv")
    assert "is ambiguous" in reject["reason"]
    assert "2018-03-04" in reject["reason"]


def test_a_trust_not_in_the_store_refuses_its_rows_at_once(tmp_path: Path) -> None:
    with Collaborative.open("memory://", load_entry_points=False) as empty:
        summary = import_file(
            empty, _write(tmp_path, clean_rows(30)), "datix-mortality", trust="RZY"
        )
        assert (summary.committed, summary.rejected) == (0, 30)
        assert "RZY is not recorded" in summary.reasons[0].reason


def test_the_dashboard_counts_imported_deaths_like_any_other(
    collab: Collaborative, tmp_path: Path
) -> None:
    import_file(
        collab, sample_path(), "datix-mortality", trust=OdsCode("RZZ"), rejects=tmp_path / "r.csv"
    )
    board = collab.lfd_dashboard([FinancialYear(2018)], dt.date(2020, 1, 1))
    year = board.collaborative(FinancialYear(2018))
    deaths_2018 = [d for d in collab.records(Death) if d.financial_year == FinancialYear(2018)]
    policy = collab.get(type(next(collab.trusts())), "RZZ").scope_policy
    assert year.all_ages.in_scope == sum(1 for d in deaths_2018 if d.in_scope(policy))
