"""The collaborative's two cross-cutting themes and the items under them, word for word from its
founding text, as the taxonomy that learning items, actions and improvement work are tagged with;
trusts may add local themes."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest

from collab_core.domain import (
    CROSS_CUTTING_THEMES,
    Action,
    Concern,
    DomainValidationError,
    LearningItem,
    OdsCode,
    Theme,
    ThemeTaxonomy,
    default_taxonomy,
)

# Word for word from the collaborative's text ("Our 2 cross-cutting themes").
PERSON_FAMILY_CENTRED = "Delivering and co-producing person and family centred care"
CONTINUOUS_LEARNING = "Creating a culture for continuous learning and safety"
ITEMS = {
    PERSON_FAMILY_CENTRED: (
        "Honest disclosure and being open",
        "Family and carer involvement at every stage",
        "Family as care givers",
        "Patients as partners in their care",
        "Improving understanding of self-care",
        "Co-production in quality improvement, innovation and design of services",
    ),
    CONTINUOUS_LEARNING: (
        "Communication and team work",
        "Leadership and psychological safety",
        "Teamwork and communication",
        "Negotiation",
        "Accountability",
        "Transparency",
        "Continuous learning",
        "Reliable processes",
        "Improvement and measurement",
    ),
}
SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seed" / "000_b7b4c0b996414ee5.txt"


def _seed_themes(text: str) -> dict[str, tuple[str, ...]]:
    """The theme headings of the seed's cross-cutting section and the bullet items under each."""
    lines = [line.strip() for line in text.splitlines()]
    section = lines[lines.index("Our 2 cross-cutting themes") + 1 :]
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in section:
        if line in ITEMS:
            current = out.setdefault(line, [])
        elif line.startswith("- ") and current is not None:
            current.append(line[2:].strip())
    return {k: tuple(v) for k, v in out.items()}


def test_the_taxonomy_holds_the_two_themes_and_their_items_word_for_word() -> None:
    taxonomy = default_taxonomy()
    top = [t for t in taxonomy if t.parent is None]
    assert [t.label for t in top] == list(ITEMS)
    for theme in top:
        assert tuple(c.label for c in taxonomy.children(theme.code)) == ITEMS[theme.label]
    assert len(taxonomy) == 2 + sum(len(v) for v in ITEMS.values())
    assert tuple(taxonomy) == CROSS_CUTTING_THEMES


@pytest.mark.skipif(
    not SEED.is_file(),
    reason=f"the collaborative's seed text is not beside the repository ({SEED})",
)
def test_the_pinned_words_are_those_of_the_collaboratives_seed_text() -> None:
    seed = _seed_themes(SEED.read_text(encoding="utf-8"))
    assert seed == ITEMS


def test_the_seed_reader_finds_items_under_their_theme() -> None:
    # The reader above must itself be right for the seed comparison to mean anything.
    text = "\n".join(
        [
            "Our 2 cross-cutting themes",
            "Intro.",
            PERSON_FAMILY_CENTRED,
            "About it.",
            *(f"- {i}" for i in ITEMS[PERSON_FAMILY_CENTRED]),
            CONTINUOUS_LEARNING,
            *(f"- {i}" for i in ITEMS[CONTINUOUS_LEARNING]),
        ]
    )
    assert _seed_themes(text) == ITEMS


def test_theme_codes_are_stable_and_nested_under_their_theme() -> None:
    taxonomy = default_taxonomy()
    for theme in taxonomy:
        if theme.parent is not None:
            assert theme.code.startswith(theme.parent + "/")
            assert theme.parent in taxonomy
        assert not theme.is_local
    assert "person-family-centred/honest-disclosure-and-being-open" in taxonomy


def test_trusts_may_add_local_themes_under_their_own_code() -> None:
    taxonomy = default_taxonomy().with_local(OdsCode("RH8"), "Sexual safety on wards")
    local = taxonomy.get("local/rh8/sexual-safety-on-wards")
    assert local.is_local
    assert local.trust == OdsCode("RH8")
    nested = taxonomy.with_local(
        OdsCode("RH8"), "Night checks", parent="continuous-learning-safety"
    )
    assert nested.get("local/rh8/night-checks").parent == "continuous-learning-safety"
    assert len(nested) == len(default_taxonomy()) + 2


def test_a_local_theme_under_an_unknown_parent_or_a_repeated_code_is_refused() -> None:
    with pytest.raises(DomainValidationError) as err:
        default_taxonomy().with_local(OdsCode("RH8"), "Night checks", parent="no-such-theme")
    assert err.value.field == "parent"
    once = default_taxonomy().with_local(OdsCode("RH8"), "Night checks")
    with pytest.raises(DomainValidationError) as err:
        once.with_local(OdsCode("RH8"), "Night  checks")
    assert err.value.field == "code"


def test_tags_outside_the_taxonomy_are_refused_naming_the_field() -> None:
    taxonomy = default_taxonomy()
    taxonomy.check_tags("themes", {"continuous-learning-safety/transparency"})
    with pytest.raises(DomainValidationError) as err:
        taxonomy.check_tags("themes", {"continuous-learning-safety/transparency", "elsewhere"})
    assert err.value.field == "themes"
    with pytest.raises(DomainValidationError):
        taxonomy.get("elsewhere")


def test_learning_items_actions_and_improvement_work_are_tagged_with_the_taxonomy() -> None:
    taxonomy = default_taxonomy()
    tags = {"person-family-centred/family-as-care-givers", "continuous-learning-safety"}
    day = dt.date(2019, 6, 3)
    trust = OdsCode("RH8")
    tagged: list[LearningItem | Action | Concern] = [
        LearningItem(uuid.UUID(int=1), trust, "Title", "What was learnt", day, themes=tags),
        Action(uuid.UUID(int=2), "Do this", "Team lead", day, themes=tags),
        Concern(uuid.UUID(int=3), trust, day, "A concern raised at handover", themes=tags),
    ]
    for thing in tagged:
        assert thing.themes == tags
        taxonomy.check_tags("themes", thing.themes)


@pytest.mark.parametrize("code", ["", "Upper", "trailing-", "a//b", "with space", "/lead"])
def test_a_theme_code_is_lower_case_words_joined_by_hyphens_and_nested_by_slashes(
    code: str,
) -> None:
    with pytest.raises(DomainValidationError) as err:
        Theme(code, "A label")
    assert err.value.field == "code"


def test_a_taxonomy_refuses_mis_keyed_entries_and_keeps_its_own_copy() -> None:
    theme = Theme("a-theme", "A theme")
    given = {"a-theme": theme}
    taxonomy = ThemeTaxonomy(given)
    given["other"] = Theme("other", "Other")
    assert "other" not in taxonomy
    with pytest.raises(DomainValidationError):
        ThemeTaxonomy({"b-theme": theme})
    with pytest.raises(DomainValidationError):
        ThemeTaxonomy({"a-theme": "A theme"})  # type: ignore[dict-item]
    with pytest.raises(DomainValidationError):
        ThemeTaxonomy.of([theme, theme])
