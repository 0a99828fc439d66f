"""No error repeats an NHS number it was given: every public constructor and lookup is fed a
planted number in many formats, and str, repr, args, notes and the whole chain of causes and
contexts of what it raises are searched for it.

The counts (formats x fields tried, refused, accepted, echoed) are printed with ``-s``.
"""

from __future__ import annotations

import functools
import sys
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from collab_core import (
    CaseReference,
    CollabError,
    Collaborative,
    ConcurrencyError,
    CorruptRecordError,
    Death,
    FinancialYear,
    OdsCode,
    PayloadError,
    Quarter,
    RecordNotFoundError,
    SiteCode,
    default_taxonomy,
    find_nhs_numbers,
    from_json,
    from_payload,
    to_payload,
)
from collab_core.ports import RECORD_SPECS, spec_for
from collab_core.testing.strategies import (
    DIGIT_ZEROS,
    NHS_GROUPINGS,
    NHS_SEPARATORS,
    STRATEGIES,
    for_type,
)

# Numbers from the 999 test range only.
NUMBERS = ("9990000018", "9990000026", "9990000034", "9990000042")


def _group(number: str, grouping: tuple[int, ...], sep: str) -> str:
    parts, at = [], 0
    for size in grouping:
        parts.append(number[at : at + size])
        at += size
    return sep.join(parts)


def _formats() -> list[str]:
    out: list[str] = []
    for i, sep in enumerate(NHS_SEPARATORS):
        out.append(_group(NUMBERS[i % 4], (3, 3, 4), sep))
    for i, grouping in enumerate(NHS_GROUPINGS):
        out.append(_group(NUMBERS[i % 4], grouping, " "))
    for i, zero in enumerate(DIGIT_ZEROS[1:]):
        digits = "".join(chr(ord(zero) + int(d)) for d in NUMBERS[i % 4])
        out.append(_group(digits, (3, 3, 4), "\u00a0"))
    out += [
        "".join(f"%{ord(d):02X}" for d in NUMBERS[0]),
        "\u200b".join(NUMBERS[1]),
        "999 000\n0018",
        "999.000.0018",
        "99900 00018",
        "9990 000 018",
        f"NHS no. {NUMBERS[2][:3]} {NUMBERS[2][3:6]}\r\n{NUMBERS[2][6:]} on the ward",
        f"x{NUMBERS[3]}",
        f"{'a long preamble ' * 6}{NUMBERS[0]}",
    ]
    assert all(find_nhs_numbers(f) for f in out)
    return out


FORMATS = _formats()


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo = [exc]
    while todo:
        e = todo.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo += [c for c in (e.__cause__, e.__context__) if c is not None]
        todo += list(getattr(e, "exceptions", ()))


def echoes(exc: BaseException, planted: str) -> bool:
    """Whether ``exc`` or anything chained to it shows the planted number in any form."""
    for e in _chain(exc):
        texts = [str(e), repr(e), *(repr(a) for a in e.args), *(str(a) for a in e.args)]
        texts += [str(n) for n in getattr(e, "__notes__", ())]
        for text in texts:
            if planted in text or repr(planted)[1:-1] in text or find_nhs_numbers(text):
                return True
    return False


@attrs.define
class Tally:
    tried: int = 0
    refused: int = 0
    accepted: list[str] = attrs.field(factory=list)
    echoed: list[str] = attrs.field(factory=list)
    crashed: list[str] = attrs.field(factory=list)

    def run(self, where: str, call: Callable[[], object], planted: str) -> None:
        self.tried += 1
        try:
            call()
        except CollabError as exc:
            self.refused += 1
            if echoes(exc, planted):
                self.echoed.append(f"{where}: {type(exc).__name__}")
        except Exception as exc:
            self.crashed.append(f"{where}: {type(exc).__name__}")
            if echoes(exc, planted):
                self.echoed.append(f"{where}: {type(exc).__name__}")
        else:
            self.accepted.append(where)

    def report(self, what: str) -> str:
        return (
            f"{what}: {len(FORMATS)} formats; tried {self.tried}, refused {self.refused}, "
            f"accepted {len(self.accepted)}, echoed {len(self.echoed)}, "
            f"crashed {len(self.crashed)}"
        )


# One example of each class is drawn, not shrunk: the test is about what the errors show.
once = settings(
    max_examples=1,
    phases=[Phase.generate],
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _model_classes() -> list[type[Any]]:
    return sorted(
        (c for c in STRATEGIES if isinstance(c, type) and attrs.has(c)), key=lambda c: c.__name__
    )


def _is_text(field: attrs.Attribute[Any]) -> bool:
    return "str" in str(field.type)


def _validates(cls: type[Any]) -> bool:
    """A model class proper: it validates its fields (results of calculations do not)."""
    return cls.__module__.startswith("collab_core.domain") and any(
        f.validator is not None or f.converter is not None for f in attrs.fields(cls)
    )


@once
@given(st.data())
def test_no_field_of_any_model_class_accepts_or_echoes_a_planted_number(
    data: st.DataObject,
) -> None:
    every, text = Tally(), Tally()
    fields = text_fields = 0
    for cls in _model_classes():
        example = data.draw(for_type(cls), label=cls.__name__)
        for field in attrs.fields(cls):
            if not field.init:
                continue
            fields += 1
            checked = _validates(cls) and _is_text(field)
            text_fields += checked
            for planted in FORMATS:
                where = f"{cls.__name__}.{field.name}"
                call = functools.partial(attrs.evolve, example, **{field.alias: planted})
                every.run(where, call, planted)
                if checked:
                    text.run(where, call, planted)
    classes = len(_model_classes())
    sys.stdout.write(f"\n{every.report(f'every field ({fields}) of {classes} classes')}\n")
    sys.stdout.write(f"{text.report(f'text fields of the model ({text_fields})')}\n")
    assert text_fields > 50
    assert every.tried == fields * len(FORMATS)
    assert every.echoed == []
    assert every.crashed == []
    # A model's text field refuses every form; a result of a calculation is not validated.
    assert text.accepted == []
    assert text.refused == text.tried


def _lookups(planted: str, death: Death) -> Iterator[tuple[str, Callable[[], object]]]:
    trust = OdsCode("RX2")
    yield "OdsCode", lambda: OdsCode(planted)
    yield "SiteCode", lambda: SiteCode(planted)
    yield "CaseReference", lambda: CaseReference(trust, planted)
    yield "FinancialYear.parse", lambda: FinancialYear.parse(planted)
    yield "Quarter.parse", lambda: Quarter.parse(planted)
    yield "theme tags", lambda: default_taxonomy().check_tags("tags", [planted])
    yield "spec_for", lambda: spec_for(planted)
    yield "RecordNotFoundError", lambda: _raise(RecordNotFoundError("death", planted))
    yield "ConcurrencyError", lambda: _raise(ConcurrencyError("death", planted, 1, 2))
    yield "CorruptRecordError", lambda: _raise(CorruptRecordError("deaths", planted, [planted]))
    yield "PayloadError", lambda: _raise(PayloadError(planted, [planted]))
    collab = Collaborative.open("memory://", load_entry_points=False)
    for spec in RECORD_SPECS:
        yield (
            f"Collaborative.get({spec.type.__name__})",
            functools.partial(collab.get, spec.type, planted),
        )
    payload = to_payload(death)
    yield "from_payload type", lambda: from_payload(None, {**payload, "type": planted})
    yield "from_payload kind", lambda: from_payload(Death, {**payload, "type": planted})
    yield "from_payload key", lambda: from_payload(Death, {**payload, planted: 1})
    yield (
        "from_payload data key",
        lambda: from_payload(Death, {**payload, "data": {**payload["data"], planted: 1}}),
    )
    yield (
        "from_payload version",
        lambda: from_payload(Death, {**payload, "schema_version": planted}),
    )
    for key in payload["data"]:
        yield (
            f"from_payload data.{key}",
            functools.partial(
                from_payload, Death, {**payload, "data": {**payload["data"], key: planted}}
            ),
        )
    yield "from_json", lambda: from_json(None, planted)
    yield "from_json quoted", lambda: from_json(Death, f'{{"type": "{planted}"}}')


def _raise(exc: BaseException) -> None:
    raise exc


@once
@given(st.data())
def test_no_constructor_or_lookup_echoes_a_planted_number(data: st.DataObject) -> None:
    death = data.draw(for_type(Death))
    tally = Tally()
    for planted in FORMATS:
        for where, call in _lookups(planted, death):
            tally.run(where, call, planted)
    sys.stdout.write(f"\n{tally.report('constructors and lookups')}\n")
    assert tally.echoed == []
    assert tally.accepted == []
    assert tally.crashed == []


def test_a_record_not_found_names_the_kind_and_a_masked_key() -> None:
    key = uuid.uuid4()
    assert str(RecordNotFoundError("death", key)) == f"no death with id {key}"
    assert str(RecordNotFoundError("trust", "ZZZ")) == "no trust with id ZZZ"
    masked = RecordNotFoundError("death", "999 000\n0018")
    assert str(masked) == "no death with id '<redacted>'"
    assert masked.record_id is None


@once
@given(st.data(), st.sampled_from(FORMATS))
def test_a_payload_error_keeps_no_raw_input_in_its_chain(data: st.DataObject, planted: str) -> None:
    payload = to_payload(data.draw(for_type(Death)))
    with pytest.raises(PayloadError) as caught:
        from_payload(Death, {**payload, "data": {**payload["data"], "ward": planted}})
    assert caught.value.__context__ is None
    assert caught.value.__cause__ is None
    assert not echoes(caught.value, planted)
