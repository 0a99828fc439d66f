"""The kinds of record an export can be imported into, and the fields a mapping may fill for
each: deaths, reviews (with scores), learning items (with actions), sharing events, members,
assessments and Duty of Candour cases (with contact attempts).

Each field has a type that says how a cell is read (:mod:`collab_core.importing.values`), and
each kind turns the values read from one row into the keyword arguments of its domain class,
keys and references included (:mod:`collab_core.importing.keys`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from collab_core.domain.candour import CandourCase, ContactAttempt, UnreachableReason
from collab_core.domain.capability import Assessment, AssessorKind
from collab_core.domain.deaths import Death, DeathSetting, RedFlag, ResponseType, Review
from collab_core.domain.identifiers import CaseReference, OdsCode
from collab_core.domain.learning import (
    Action,
    ActionStatus,
    Audience,
    ImpactAssessment,
    ImpactRating,
    LearningItem,
    SharingEvent,
)
from collab_core.domain.people import Member, MemberKind
from collab_core.importing.keys import child_key, import_key

__all__ = ["KINDS", "FieldSpec", "FieldType", "KindSpec", "Owner"]


class FieldType(enum.StrEnum):
    """How a cell is read for a field."""

    TEXT = "text"
    INT = "whole number"
    BOOL = "yes/no"
    DATE = "date"
    CHOICE = "choice"
    CHOICES = "list of choices"
    TEXT_LIST = "list of text"
    REFERENCE = "reference"
    REFERENCES = "list of references"
    TRUST = "ODS code"


@attrs.frozen
class FieldSpec:
    """A field a mapping may fill.

    :param name: the key in the mapping (``died_on``).
    :param reads: how the cell is read.
    :param help: what the field holds, for errors and the docs.
    :param required: a new record cannot be made without it.
    :param choices: the enumeration of a choice field.
    :param target: the kind a reference points at.
    """

    name: str
    reads: FieldType
    help: str
    required: bool = False
    choices: type[enum.Enum] | None = None
    target: str | None = None


@attrs.frozen
class Owner:
    """Whose references a row's keys are derived from: the trust of the record (for kinds that
    belong to a trust) or the import's own owner (a trust's code, or ``collaborative``)."""

    code: str


def _f(name: str, type_: FieldType, help_: str, **kw: Any) -> FieldSpec:
    return FieldSpec(name, type_, help_, **kw)


_REF = _f(
    "reference", FieldType.TEXT, "the source's own reference: the record's key", required=True
)
_TRUST = _f("trust", FieldType.TRUST, "the trust's ODS code (default: the mapping's constant)")

Builder = Callable[[Mapping[str, Any], str], dict[str, Any]]


@attrs.frozen
class KindSpec:
    """A kind of record a mapping section fills.

    :param kind: the section name (the record kind of :data:`collab_core.ports.RECORD_SPECS`,
        or ``action`` / ``attempt`` for the records held inside another).
    :param cls: the domain class.
    :param fields: the fields a mapping may fill.
    :param build: turns the values read (by field name; a blank cell is ``None``) and the owner
        of the keys into keyword arguments of ``cls``.
    :param attrs_to_fields: which mapping field set each attribute, so that an error about an
        attribute names the mapping's field (and its column).
    :param has_trust: the records belong to a trust.
    :param scores: the section may hold a ``scores`` table.
    :param child: the kind of record held inside this one, filled from the same row.
    """

    kind: str
    cls: type[Any]
    fields: tuple[FieldSpec, ...]
    build: Builder
    attrs_to_fields: Mapping[str, str] = attrs.field(factory=dict)
    has_trust: bool = True
    scores: bool = False
    child: KindSpec | None = None

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)


def _take(values: Mapping[str, Any], *names: str) -> dict[str, Any]:
    return {n: values[n] for n in names if n in values}


def _flag(values: Mapping[str, Any], name: str) -> dict[str, Any]:
    # A blank yes/no cell means "no" for a flag that the domain keeps as a plain bool.
    return {name: bool(values[name])} if name in values else {}


def _trust_of(values: Mapping[str, Any]) -> OdsCode:
    trust: OdsCode = values["trust"]
    return trust


def _death(values: Mapping[str, Any], owner: str) -> dict[str, Any]:
    trust = _trust_of(values)
    ref = values["reference"]
    out: dict[str, Any] = {"trust": trust}
    if ref is not None:
        out["id"] = import_key(owner, "death", ref)
        out["case_ref"] = CaseReference(trust, ref)
    out |= _take(values, "died_on", "setting", "age", "last_contact_on", "discharged_on")
    return out | _flag(values, "learning_disability") | _flag(values, "autistic")


def _review(values: Mapping[str, Any], owner: str) -> dict[str, Any]:
    out: dict[str, Any] = {"trust": _trust_of(values)}
    out["id"] = import_key(owner, "review", values["reference"])
    if values.get("death") is not None:
        out["death_id"] = import_key(owner, "death", values["death"])
    if "red_flags" in values:
        out["red_flags"] = frozenset(values["red_flags"] or ())
    if "scores" in values:
        out["scores"] = tuple(values["scores"])
    return out | _take(values, "response_type", "started_on", "completed_on", "signed_off_on")


def _action(values: Mapping[str, Any], owner: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": child_key(owner, "learning_item", values["item"], values["reference"])
    }
    out |= _take(values, "description", "owner_role", "due_on", "completed_on")
    if "status" in values:
        out["status"] = values["status"] or ActionStatus.PLANNED
    if "themes" in values:
        out["themes"] = frozenset(values["themes"] or ())
    if "impact_rating" in values:
        rating = values["impact_rating"]
        out["impact"] = (
            None
            if rating is None
            else ImpactAssessment(
                assessed_on=values.get("impact_assessed_on"),  # type: ignore[arg-type]
                rating=rating,
                summary=values.get("impact_summary"),  # type: ignore[arg-type]
                measure=values.get("impact_measure"),
            )
        )
    return out


def _learning_item(values: Mapping[str, Any], owner: str) -> dict[str, Any]:
    out: dict[str, Any] = {"trust": _trust_of(values)}
    out["id"] = import_key(owner, "learning_item", values["reference"])
    if "reviews" in values:
        out["review_ids"] = frozenset(
            import_key(owner, "review", r) for r in values["reviews"] or ()
        )
    if "themes" in values:
        out["themes"] = frozenset(values["themes"] or ())
    return out | _take(values, "title", "what_was_learnt", "recorded_on", "signed_off_on")


def _sharing(values: Mapping[str, Any], owner: str) -> dict[str, Any]:
    out: dict[str, Any] = {"trust": _trust_of(values)}
    out["id"] = import_key(owner, "sharing", values["reference"])
    if values.get("learning_item") is not None:
        out["learning_item_id"] = import_key(owner, "learning_item", values["learning_item"])
    return out | _take(values, "audience", "shared_on", "channel")


def _member(values: Mapping[str, Any], owner: str) -> dict[str, Any]:
    out: dict[str, Any] = {"id": import_key(owner, "member", values["reference"])}
    return out | _take(values, "trust", "handle", "kind", "joined", "left")


def _assessment(values: Mapping[str, Any], owner: str) -> dict[str, Any]:
    out: dict[str, Any] = {"id": import_key(owner, "assessment", values["reference"])}
    if values.get("member") is not None:
        out["member_id"] = import_key(owner, "member", values["member"])
    if "framework" in values:
        out["framework"] = values["framework"] or "3ls"
    if "assessor" in values:
        out["assessor"] = values["assessor"] or AssessorKind.SELF
    return out | _take(values, "subject", "level", "assessed_on")


def _candour_case(values: Mapping[str, Any], owner: str) -> dict[str, Any]:
    out: dict[str, Any] = {"trust": _trust_of(values)}
    out["id"] = import_key(owner, "candour_case", values["reference"])
    if "death" in values:
        death = values["death"]
        out["death_id"] = None if death is None else import_key(owner, "death", death)
    out |= _take(
        values,
        "reported_on",
        "notifiable",
        "decided_on",
        "notified_on",
        "followed_up_on",
        "unreachable",
        "closed_on",
    )
    return out | _flag(values, "apology_given")


def _attempt(values: Mapping[str, Any], _owner: str) -> dict[str, Any]:
    return _take(values, "attempted_on", "method")


T, N, B, D = FieldType.TEXT, FieldType.INT, FieldType.BOOL, FieldType.DATE
C, R = FieldType.CHOICE, FieldType.REFERENCE

ACTION = KindSpec(
    "action",
    Action,
    (
        _f("reference", T, "the action's own reference within its learning item", required=True),
        _f("description", T, "what is to be done", required=True),
        _f("owner_role", T, "the role (never a person) that owns the action", required=True),
        _f("due_on", D, "when the action is due", required=True),
        _f("status", C, "planned, in_progress, completed or cancelled", choices=ActionStatus),
        _f("completed_on", D, "when it was completed (exactly when the status is completed)"),
        _f("themes", FieldType.TEXT_LIST, "theme codes from the taxonomy"),
        _f(
            "impact_rating",
            C,
            "the impact assessed (Quality Account item 27.6)",
            choices=ImpactRating,
        ),
        _f("impact_assessed_on", D, "when the impact was assessed"),
        _f("impact_summary", T, "the impact in words"),
        _f("impact_measure", T, "the measure that showed the impact"),
    ),
    _action,
    {"id": "reference", "impact": "impact_rating"},
    has_trust=False,
)

ATTEMPT = KindSpec(
    "attempt",
    ContactAttempt,
    (
        _f("attempted_on", D, "when the relevant person was contacted", required=True),
        _f("method", T, "how (letter, telephone, visit)", required=True),
    ),
    _attempt,
    has_trust=False,
)

KINDS: Mapping[str, KindSpec] = {
    k.kind: k
    for k in (
        KindSpec(
            "death",
            Death,
            (
                _REF,
                _TRUST,
                _f("died_on", D, "the date of death", required=True),
                _f(
                    "setting",
                    C,
                    "where the person was in the trust's care",
                    required=True,
                    choices=DeathSetting,
                ),
                _f("age", N, "age in years at death"),
                _f("last_contact_on", D, "the last contact with community services"),
                _f("discharged_on", D, "the discharge from inpatient care"),
                _f("learning_disability", B, "the person had a learning disability"),
                _f("autistic", B, "the person was autistic"),
            ),
            _death,
            {"id": "reference", "case_ref": "reference"},
        ),
        KindSpec(
            "review",
            Review,
            (
                _REF,
                _TRUST,
                _f(
                    "death", R, "the reference of the death reviewed", required=True, target="death"
                ),
                _f(
                    "response_type",
                    C,
                    "the kind of review or investigation",
                    required=True,
                    choices=ResponseType,
                ),
                _f("started_on", D, "when the review began", required=True),
                _f("completed_on", D, "when it was completed"),
                _f("signed_off_on", D, "when its findings were signed off"),
                _f("red_flags", FieldType.CHOICES, "RCPsych stage-1 red flags", choices=RedFlag),
            ),
            _review,
            {"id": "reference", "death_id": "death"},
            scores=True,
        ),
        KindSpec(
            "learning_item",
            LearningItem,
            (
                _REF,
                _TRUST,
                _f("title", T, "the learning in a line", required=True),
                _f(
                    "what_was_learnt",
                    T,
                    "what was learnt (Quality Account item 27.4)",
                    required=True,
                ),
                _f("recorded_on", D, "when the learning was recorded", required=True),
                _f(
                    "reviews",
                    FieldType.REFERENCES,
                    "references of the reviews it came from",
                    target="review",
                ),
                _f("themes", FieldType.TEXT_LIST, "theme codes from the taxonomy"),
                _f("signed_off_on", D, "when it was signed off for sharing"),
            ),
            _learning_item,
            {"id": "reference", "review_ids": "reviews"},
            child=ACTION,
        ),
        KindSpec(
            "sharing",
            SharingEvent,
            (
                _REF,
                _TRUST,
                _f(
                    "learning_item",
                    R,
                    "the reference of the learning item shared",
                    required=True,
                    target="learning_item",
                ),
                _f("audience", C, "who it was shared with", required=True, choices=Audience),
                _f("shared_on", D, "when", required=True),
                _f("channel", T, "how (board paper, learning event...)", required=True),
            ),
            _sharing,
            {"id": "reference", "learning_item_id": "learning_item"},
        ),
        KindSpec(
            "member",
            Member,
            (
                _REF,
                _f("trust", FieldType.TRUST, "the trust the member belongs to (blank: none)"),
                _f("handle", T, "a pseudonymous handle, never a name", required=True),
                _f(
                    "kind",
                    C,
                    "staff, lived_experience or carer_family",
                    required=True,
                    choices=MemberKind,
                ),
                _f("joined", D, "when the member joined", required=True),
                _f("left", D, "when the member left"),
            ),
            _member,
            {"id": "reference"},
            has_trust=False,
        ),
        KindSpec(
            "assessment",
            Assessment,
            (
                _REF,
                _f(
                    "member",
                    R,
                    "the reference of the member assessed",
                    required=True,
                    target="member",
                ),
                _f("framework", T, "the framework's id (default 3ls)"),
                _f("subject", T, "the subject area's code", required=True),
                _f("level", T, "the level held (Learn, Live, Lead)", required=True),
                _f("assessed_on", D, "when", required=True),
                _f("assessor", C, "self, peer or faculty", choices=AssessorKind),
            ),
            _assessment,
            {"id": "reference", "member_id": "member"},
            has_trust=False,
        ),
        KindSpec(
            "candour_case",
            CandourCase,
            (
                _REF,
                _TRUST,
                _f(
                    "death",
                    R,
                    "the reference of the death, when the incident was a death",
                    target="death",
                ),
                _f("reported_on", D, "when the incident was reported", required=True),
                _f(
                    "notifiable", B, "decided a notifiable safety incident (blank: not yet decided)"
                ),
                _f("decided_on", D, "when notifiability was decided"),
                _f("notified_on", D, "when the relevant person was notified in person"),
                _f("apology_given", B, "an apology was given with the notification"),
                _f("followed_up_on", D, "when the written follow-up was sent (20(4))"),
                _f(
                    "unreachable",
                    C,
                    "why the person could not be notified (20(5))",
                    choices=UnreachableReason,
                ),
                _f("closed_on", D, "when the case was closed as unreachable"),
            ),
            _candour_case,
            {"id": "reference", "death_id": "death"},
            child=ATTEMPT,
        ),
    )
}

#: Fields whose blank cell reads as "no" rather than "not known".
PLAIN_FLAGS = frozenset({"learning_disability", "autistic", "apology_given"})


def child_identity(kind: KindSpec, record: Any) -> object:
    """What makes two records held inside one parent the same one: an action's id, or an
    attempt's day and method."""
    if kind is ATTEMPT:
        return (record.attempted_on, record.method)
    return record.id
