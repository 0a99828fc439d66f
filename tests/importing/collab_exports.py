"""Synthetic Datix-style mortality exports: a clean one (the sample that ships with
collab_core is made by ``clean_rows(160, seed=2018)``), and a deliberately dirty one that breaks
every rule an import checks.

Run it to write a file::

    python tests/importing/collab_exports.py sample datix-mortality-sample.csv
    python tests/importing/collab_exports.py dirty dirty.csv --rows 10000

Everything is made up: references are W-numbers, and the only NHS numbers are from the 999
test range.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import datetime as dt
import io
import random
from collections.abc import Sequence
from pathlib import Path

HEADER = (
    "Incident Reference",
    "Incident Date",
    "Reported Date",
    "Incident Category",
    "Location Type",
    "Age at Death",
    "Learning Disability",
    "Autism",
    "Last Contact Date",
    "Discharge Date",
    "Mortality Review Type",
    "Review Start Date",
    "Review Completed Date",
    "Review Signed Off",
    "SJR Avoidability Score",
    "Overall Care Score",
    "Duty of Candour Applies",
    "DoC Decision Date",
    "DoC Notified Date",
    "Apology Given",
    "DoC Letter Sent",
    "Description",
)

_DESCRIPTIONS = (
    "Unexpected death reported by the community team.",
    "Death on the ward; the family were informed the same day.",
    "Reported by the crisis resolution and home treatment team.",
    "Death after discharge; the care coordinator was informed by the GP.",
    "Expected death; palliative care in place.",
    "Reported after the coroner's office made contact.",
    "Death reported by the family to the care coordinator – café meeting arranged.",
)
_SETTINGS = (
    ("Inpatient ward", 30),
    ("Community team", 50),
    ("Discharged (within 30 days)", 15),
    ("Not open to services", 5),
)
_REVIEWS = (
    ("Structured Judgement Review", 50),
    ("RCPsych Care Review Tool", 20),
    ("Patient Safety Incident Investigation", 10),
    ("After Action Review", 5),
    ("MDT Review", 10),
    ("Initial screening", 5),
)
_AVOIDABILITY = ((1, 1), (2, 2), (3, 5), (4, 10), (5, 20), (6, 62))
TEST_NHS_NUMBER = "9990000018"  # valid, from the 999 test range


def _pick(rng: random.Random, weighted: Sequence[tuple[object, int]]) -> object:
    items, weights = zip(*weighted, strict=True)
    return rng.choices(items, weights)[0]


def _d(day: dt.date | None) -> str:
    return "" if day is None else day.strftime("%d/%m/%Y")


def clean_rows(
    n: int,
    seed: int = 2018,
    start: dt.date = dt.date(2017, 4, 1),
    end: dt.date = dt.date(2019, 3, 31),
) -> list[list[str]]:
    """``n`` rows of a clean export, deaths between ``start`` and ``end``."""
    rng = random.Random(seed)
    span = (end - start).days
    rows = []
    for i in range(n):
        died = start + dt.timedelta(days=rng.randrange(span + 1))
        reported = died + dt.timedelta(days=rng.randrange(4))
        setting = str(_pick(rng, _SETTINGS))
        last_contact = discharged = None
        if setting.startswith("Community"):
            last_contact = died - dt.timedelta(days=rng.randrange(1, 150))
        elif setting.startswith("Discharged"):
            discharged = died - dt.timedelta(days=rng.randrange(1, 30))
            last_contact = discharged
        elif setting.startswith("Not open"):
            last_contact = died - dt.timedelta(days=rng.randrange(200, 400))
        roll = rng.random()
        age = (
            ""
            if roll < 0.03
            else str(rng.randrange(14, 18) if roll < 0.06 else rng.randrange(18, 96))
        )
        ld = rng.random() < 0.04
        autism = rng.random() < 0.03
        row = dict.fromkeys(HEADER, "")
        row |= {
            "Incident Reference": f"W{20000 + i * 7 + rng.randrange(7)}",
            "Incident Date": _d(died) + (" 00:00" if rng.random() < 0.1 else ""),
            "Reported Date": _d(reported),
            "Incident Category": "Death - unexpected" if rng.random() < 0.6 else "Death - expected",
            "Location Type": setting,
            "Age at Death": age,
            "Learning Disability": "Y" if ld else "N",
            "Autism": "Y" if autism else "N",
            "Last Contact Date": _d(last_contact),
            "Discharge Date": _d(discharged),
            "Description": rng.choice(_DESCRIPTIONS),
        }
        if rng.random() < 0.65:
            kind = "LeDeR referral" if (ld or autism) else str(_pick(rng, _REVIEWS))
            began = reported + dt.timedelta(days=rng.randrange(5, 40))
            finished = (
                began + dt.timedelta(days=rng.randrange(20, 150)) if rng.random() < 0.85 else None
            )
            signed = (
                finished + dt.timedelta(days=rng.randrange(0, 30))
                if finished is not None and rng.random() < 0.7
                else None
            )
            row |= {
                "Mortality Review Type": kind,
                "Review Start Date": _d(began),
                "Review Completed Date": _d(finished),
                "Review Signed Off": _d(signed),
            }
            if finished is not None and kind not in ("Initial screening", "LeDeR referral"):
                row["SJR Avoidability Score"] = str(_pick(rng, _AVOIDABILITY))
                row["Overall Care Score"] = str(rng.choice((2, 3, 3, 4, 4, 4, 5)))
        if rng.random() < 0.15:
            decided = reported + dt.timedelta(days=rng.randrange(0, 5))
            row |= {"DoC Decision Date": _d(decided)}
            if rng.random() < 0.7:
                notified = decided + dt.timedelta(days=rng.randrange(1, 16))
                letter = (
                    notified + dt.timedelta(days=rng.randrange(5, 20))
                    if rng.random() < 0.8
                    else None
                )
                row |= {
                    "Duty of Candour Applies": "Yes",
                    "DoC Notified Date": _d(notified),
                    "Apology Given": "Y",
                    "DoC Letter Sent": _d(letter),
                }
            else:
                row |= {"Duty of Candour Applies": "No", "Apology Given": "N"}
        rows.append([row[h] for h in HEADER])
    return rows


def _set(row: list[str], column: str, value: str) -> None:
    row[HEADER.index(column)] = value


def dirty_rows(n: int, seed: int = 1042) -> list[list[str]]:
    """``n`` rows of a deliberately dirty export: about a quarter of the rows break a rule
    (bad, impossible or missing dates, unknown words, formulas, NHS numbers, conflicting
    duplicates, steps out of order, values beyond the header), and some carry traps that are
    harmless (an NHS number in an unmapped column, an exact duplicate row)."""
    rng = random.Random(seed)
    rows = clean_rows(n, seed, dt.date(2016, 4, 1), dt.date(2019, 3, 31))
    for i, row in enumerate(rows):
        roll = rng.random()
        if roll > 0.3:
            continue
        defect = rng.randrange(16)
        if defect == 0:
            _set(row, "Incident Date", "31/02/2018")
        elif defect == 1:
            _set(row, "Incident Date", "")
        elif defect == 2:
            _set(row, "Location Type", "=cmd|' /C calc'!A0")
        elif defect == 3:
            _set(row, "Incident Reference", TEST_NHS_NUMBER)
        elif defect == 4:
            _set(
                row,
                "Description",
                "Seen by GP; NHS no. "
                f"{TEST_NHS_NUMBER[:3]} {TEST_NHS_NUMBER[3:6]} {TEST_NHS_NUMBER[6:]}",
            )
        elif defect == 5:
            _set(row, "Age at Death", rng.choice(("two hundred", "200", "-4", "45.5")))
        elif defect == 6:
            _set(row, "Location Type", "Hospice")
        elif defect == 7 and i > 0:
            rows[i] = list(rows[rng.randrange(i)])  # an exact copy of an earlier row: harmless
        elif defect == 8 and i > 0:
            copy = list(rows[rng.randrange(i)])
            _set(
                copy,
                "Age at Death",
                "101" if copy[HEADER.index("Age at Death")] != "101" else "102",
            )
            rows[i] = copy  # the same reference with other values: refused
        elif defect == 9:
            _set(row, "Review Start Date", "01/06/2018")
            _set(row, "Review Completed Date", "01/01/2018")
            _set(row, "Mortality Review Type", "SJR")
        elif defect == 10:
            _set(row, "Duty of Candour Applies", "Yes")
            _set(row, "DoC Decision Date", row[HEADER.index("Reported Date")])
            _set(row, "DoC Notified Date", row[HEADER.index("Reported Date")])
            _set(row, "Apology Given", "N")
        elif defect == 11:
            rows[i] = [*row, "an extra value", "and another"]
        elif defect == 12:
            rows[i] = row[:-3]
        elif defect == 13:
            _set(row, "SJR Avoidability Score", "9")
            _set(row, "Mortality Review Type", "SJR")
            _set(row, "Review Start Date", "01/06/2018")
            _set(row, "Review Completed Date", "01/07/2018")
        elif defect == 14:
            _set(row, "Description", '=HYPERLINK("http://example.invalid", "click")')
        else:
            _set(row, "Last Contact Date", "2019-13-45")
    return rows


def write_csv(
    path: Path,
    rows: Sequence[Sequence[str]],
    *,
    encoding: str = "utf-8-sig",
    delimiter: str = ",",
    blank_every: int = 0,
) -> None:
    """Write an export; ``blank_every`` adds a blank line after every so many rows (blank lines
    are no rows)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADER)
    for i, row in enumerate(rows, 1):
        writer.writerow(row)
        if blank_every and i % blank_every == 0:
            buffer.write("\r\n")
    data = buffer.getvalue().encode(encoding.replace("-sig", ""), errors="replace")
    if encoding.endswith("-sig"):
        data = codecs.BOM_UTF8 + data
    path.write_bytes(data)


def write_dirty(path: Path, rows: int = 10_000, seed: int = 1042) -> int:
    """Write the dirty export in Windows-1252 with semicolons; return its number of rows."""
    made = dirty_rows(rows, seed)
    write_csv(path, made, encoding="cp1252", delimiter=";", blank_every=997)
    return len(made)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("which", choices=("sample", "dirty"))
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    if args.which == "sample":
        write_csv(args.out, clean_rows(160, seed=args.seed or 2018))
    else:
        write_dirty(args.out, args.rows, seed=args.seed or 1042)


if __name__ == "__main__":
    main()
