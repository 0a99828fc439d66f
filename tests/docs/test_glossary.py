"""The glossary keeps up with the model: every default review scale is listed with its id and the
direction it runs in, and every response type and red flag is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from collab_core.domain import DEFAULT_SCALES, ResponseType, ReviewScale

GLOSSARY = Path(__file__).resolve().parents[2] / "docs" / "glossary.md"


def _scale_row(scale_id: str) -> str:
    rows = [
        line for line in GLOSSARY.read_text(encoding="utf-8").splitlines() if line.startswith("|")
    ]
    matching = [r for r in rows if f"`{scale_id}`" in r]
    assert len(matching) == 1, f"the glossary's scale table should have one row for {scale_id}"
    return matching[0]


@pytest.mark.parametrize("scale", DEFAULT_SCALES, ids=lambda s: s.id)
def test_every_default_scale_is_in_the_glossary_with_its_range_and_judged_values(
    scale: ReviewScale,
) -> None:
    row = _scale_row(scale.id)
    assert f"{scale.minimum} " in row
    assert f"{scale.maximum} " in row
    if scale.judges_problems_in_care:
        assert ", ".join(str(v) for v in sorted(scale.problem_in_care_values)) in row
    else:
        assert "not judged" in row


@pytest.mark.parametrize(
    ("response", "words"),
    [
        (ResponseType.STRUCTURED_JUDGEMENT_REVIEW, "Structured judgement review"),
        (ResponseType.CARE_REVIEW_TOOL, "RCPsych Care Review Tool"),
        (ResponseType.PSII, "Patient safety incident investigation"),
        (ResponseType.AFTER_ACTION_REVIEW, "After action review"),
        (ResponseType.SWARM_HUDDLE, "Swarm huddle"),
        (ResponseType.MDT_REVIEW, "Multidisciplinary team (MDT) review"),
        (ResponseType.THEMATIC_REVIEW, "Thematic review"),
        (ResponseType.LEDER, "LeDeR"),
        (ResponseType.PREVENTION_OF_FUTURE_DEATHS, "prevention of future deaths"),
    ],
)
def test_every_review_response_is_explained_in_the_glossary(
    response: ResponseType, words: str
) -> None:
    text = GLOSSARY.read_text(encoding="utf-8")
    assert words in text
    assert response.name in text
