"""The privacy gate under fire: publications of every kind, with NHS numbers (999 test range),
UK postcodes, e-mail addresses, UK telephone numbers and deny-listed names planted in random
fields, in random formats and at random positions. None reaches the outbox for any audience, and
no error, log line or preview repeats what was planted.

The default profile runs a quick sample; ``COLLAB_HYPOTHESIS_PROFILE=slow`` runs 2,000 examples
(see tests/conftest.py).
"""

from __future__ import annotations

import logging
import string
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import given, note
from hypothesis import strategies as st

import collab_core
from collab_core import Audience, Collaborative, PrivacyError, to_json
from collab_core.domain.disclosure import key_path, value_path, walk_text
from collab_core.domain.identifiers import nhs_check_digit
from collab_core.ports import Publication, PublicationBody
from collab_core.serialization import structure, unstructure
from collab_core.sharing import AudienceSpec
from collab_core.testing.strategies import publications, typed_publications

# Made-up names: distinctive, so that no message could hold one by chance.
NAMES = (
    "Quillfeather",
    "Zebedee Ashworth",
    "Marlowe-Quist",
    "Oluwaseun Pemberton",
    "Ffion Trevithick",
    "O'Donoghue",
)
# The text fields of the built-in bodies (fields holding codes, enums, dates and numbers are
# refused by the body's own validation, so they cannot carry free text).
FREE_TEXT = {
    "title",
    "what_was_learnt",
    "description",
    "owner_role",
    "summary",
    "measure",
    "label",
    "parent",
    "name",
    "trust_name",
    "unit",
    "x",
    "channels",
    "code",
}


class _Names:
    @collab_core.hookimpl
    def collab_deny_list(self, audience: AudienceSpec) -> list[str]:
        return list(NAMES)


class _Partners:
    @collab_core.hookimpl
    def collab_register_audiences(self) -> list[AudienceSpec]:
        return [AudienceSpec("ics_partners", Audience.COLLABORATIVE)]


@pytest.fixture(scope="module")
def collab() -> Iterator[Collaborative]:
    with Collaborative.open(
        plugins=[_Names(), _Partners()], load_entry_points=False, environ={}
    ) as opened:
        yield opened


# -- what is planted --------------------------------------------------------------------------

_LETTERS = "ABCDEFGHJKLMNOPRSTUWYZ"  # letters that may open a postcode
_SECOND = "ABCDEFGHKLMNOPQRSTUVWXY"  # never I or Z as the second letter
_INWARD = "ABDEFGHJLNPQRSTUWXYZ"


def _valid_from(n: int) -> str:
    """The first valid NHS number in the 999 test range at or after 999 followed by ``n``."""
    while nhs_check_digit(f"999{n:06d}") is None:
        n = (n + 1) % 1_000_000
    return f"999{n:06d}{nhs_check_digit(f'999{n:06d}')}"


@st.composite
def nhs_numbers(draw: st.DrawFn) -> str:
    number = _valid_from(draw(st.integers(0, 999_999)))
    sep = draw(st.sampled_from(("", " ", "-")))
    return f"{number[:3]}{sep}{number[3:6]}{sep}{number[6:]}"


@st.composite
def postcodes(draw: st.DrawFn) -> str:
    area = draw(st.sampled_from(_LETTERS)) + draw(st.sampled_from(("", *_SECOND)))
    district = str(draw(st.integers(1, 99 if len(area) == 2 else 9)))
    if len(district) == 1 and draw(st.booleans()):
        district += draw(st.sampled_from("ABEHJKMNPRSTUVWXY"))
    inward = str(draw(st.integers(0, 9))) + "".join(
        draw(st.lists(st.sampled_from(_INWARD), min_size=2, max_size=2))
    )
    text = area + district + draw(st.sampled_from((" ", ""))) + inward
    return draw(st.sampled_from((text, text.lower(), text.title())))


@st.composite
def emails(draw: st.DrawFn) -> str:
    word = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=8)
    local = draw(word) + draw(st.sampled_from(("", ".", "_", "+", "-"))) + draw(word)
    domain = ".".join(draw(st.lists(word, min_size=1, max_size=3)))
    tld = draw(st.sampled_from(("uk", "com", "nhs.uk", "org", "net")))
    return f"{local}@{domain}.{tld}"


@st.composite
def phone_numbers(draw: st.DrawFn) -> str:
    digits = "".join(str(d) for d in draw(st.lists(st.integers(0, 9), min_size=9, max_size=9)))
    area = draw(st.sampled_from(("1632", "113", "20", "7700", "800", "1865")))
    rest = digits[: 10 - len(area)]
    layouts = (
        f"0{area} {rest}",
        f"0{area}{rest}",
        f"(0{area}) {rest}",
        f"0{area}-{rest[:3]}-{rest[3:]}",
        f"+44 {area} {rest}",
        f"+44 (0){area} {rest}",
        f"+44{area}{rest}",
        f"0044 {area} {rest}",
        f"0{area} {rest[:3]} {rest[3:]}",
    )
    return draw(st.sampled_from(layouts))


@st.composite
def names(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(NAMES))
    name = draw(st.sampled_from((name, name.upper(), name.lower())))
    return name.replace(" ", draw(st.sampled_from((" ", "  ", "\t"))))


PLANTED = st.one_of(
    st.tuples(st.just("nhs_number"), nhs_numbers()),
    st.tuples(st.just("postcode"), postcodes()),
    st.tuples(st.just("email"), emails()),
    st.tuples(st.just("phone"), phone_numbers()),
    st.tuples(st.just("name"), names()),
)


# -- where it is planted ----------------------------------------------------------------------


def _places(data: Any, typed: bool) -> list[tuple[str, tuple[Any, ...], bool]]:
    """``(path, steps, is_key)`` of every text a plant may go into: free-text fields of a typed
    body, any string or key of a plain one. Paths are written as the gate writes them."""
    out: list[tuple[str, tuple[Any, ...], bool]] = []

    def visit(value: Any, path: str, steps: tuple[Any, ...], field: str | None) -> None:
        if isinstance(value, str):
            # A chart point's label is an enum and a trust's code an ODS code, not text,
            # though their fields share a name with text fields.
            coded = (field == "label" and ".points[" in path) or (
                field == "code" and ".trusts[" in path
            )
            if not typed or (field in FREE_TEXT and not coded):
                out.append((path, steps, False))
        elif isinstance(value, dict):
            for i, (key, item) in enumerate(value.items()):
                if not typed:
                    out.append((key_path(path, i), (*steps, key), True))
                visit(item, value_path(path, str(key), i), (*steps, key), key)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                visit(item, f"{path}[{i}]", (*steps, i), field)

    visit(data, "$", (), None)
    return out


def _plant(data: Any, steps: tuple[Any, ...], is_key: bool, make: Any) -> Any:
    """``data`` with the text at ``steps`` (a value, or a key) replaced by ``make(text)``."""
    if not steps:
        return make(data)
    head, rest = steps[0], steps[1:]
    if isinstance(data, list):
        return [_plant(v, rest, is_key, make) if i == head else v for i, v in enumerate(data)]
    if is_key and not rest:
        return {(make(k) if k == head else k): v for k, v in data.items()}
    return {k: (_plant(v, rest, is_key, make) if k == head else v) for k, v in data.items()}


@st.composite
def planted_publications(draw: st.DrawFn) -> tuple[Publication, str, str, str, int]:
    """A publication of any kind with one identifier planted, and where: the publication, the
    planted text, its rule, the field's path and the position in the field."""
    publication = draw(typed_publications() | publications())
    rule, planted = draw(PLANTED)
    typed = isinstance(publication.body, PublicationBody)
    # A plain body is written with its keys sorted: plant in it as the gate will walk it.
    data = unstructure(publication.body) if typed else unstructure(dict(publication.body))
    places = [("title", (), False), *_places(data, typed)]
    path, steps, is_key = draw(st.sampled_from(places))
    offset: list[int] = []

    def make(text: str) -> str:
        cut = draw(st.integers(0, len(text)))
        offset.append(cut + 1)
        return f"{text[:cut]} {planted} {text[cut:]}"

    if path == "title":
        planted = planted.replace("\t", "  ")  # a title is one line, without control characters
        publication = attrs.evolve(publication, title=make(publication.title))
    else:
        data = _plant(data, steps, is_key, make)
        body = structure(type(publication.body), data) if typed else data
        publication = attrs.evolve(publication, body=body)
        if is_key:  # the planted key sorts among its siblings
            parent = data
            for step in steps[:-1]:
                parent = parent[step]
            planted_key = next(k for k in parent if planted in k)
            path = key_path(path.rsplit("[key ", 1)[0], sorted(parent).index(planted_key))
    note(f"planted {rule} at {path}")
    return publication, planted, rule, path, offset[0]


def _for(publication: Publication, audience: AudienceSpec) -> Publication:
    body = publication.body
    if isinstance(body, PublicationBody):
        body = attrs.evolve(body, audience=audience.name)  # type: ignore[misc]
    return attrs.evolve(publication, audience=audience.base, body=body)


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def _holds(text: str, planted: str) -> bool:
    squashed = "".join(planted.split()).lower()
    return planted.lower() in text.lower() or squashed in "".join(text.split()).lower()


@given(planted_publications())
def test_no_planted_identifier_reaches_the_outbox_or_a_message(
    collab: Collaborative, case: tuple[Publication, str, str, str, int]
) -> None:
    publication, planted, rule, path, offset = case
    lines = _Lines()
    root = logging.getLogger()
    root.addHandler(lines)
    try:
        for audience in collab.audiences.values():
            addressed = _for(publication, audience)
            with pytest.raises(PrivacyError) as caught:
                collab.publish(addressed)
            error = caught.value
            found = [(f.field, f.start) for f in error.findings]
            assert (path, offset) in found, f"{rule} at {path} for {audience.name}: {found}"
            for text in (str(error), repr(error), *(str(f) for f in error.findings)):
                assert not _holds(text, planted), f"{rule} repeated in a message"
            preview = collab.preview(addressed)
            assert not preview.passed
            assert not _holds(preview.publication.title, planted)
            assert not _holds(to_json(preview.publication), planted), "the preview masks it"
        assert collab.store.outbox(status=None) == [], "nothing reached the outbox"
        for line in lines.lines:
            assert not _holds(line, planted), "nothing logged repeats it"
    finally:
        root.removeHandler(lines)


def test_the_planted_places_reach_every_kind_of_field() -> None:
    data = {"items": [{"title": "a", "status": "planned", "channels": ["x"]}], "n": 3}
    assert [p for p, _, _ in _places(data, typed=True)] == [
        "$.items[0].title",
        "$.items[0].channels[0]",
    ]
    plain = [p for p, _, _ in _places(data, typed=False)]
    assert "$[key 0]" in plain
    assert "$.items[0].status" in plain
    planted = _plant(data, ("items", 0, "title"), False, lambda t: f"{t}!")
    assert planted["items"][0]["title"] == "a!"
    keyed = _plant({"a": {"b": 1}}, ("a", "b"), True, lambda t: t.upper())
    assert keyed == {"a": {"B": 1}}
    assert list(walk_text(keyed))[1].path == "$.a[key 0]"
