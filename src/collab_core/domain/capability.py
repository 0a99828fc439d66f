"""Capability frameworks: the collaborative's 3 L's (Learn < Live < Lead), and any other
tiered framework (QSIR, bronze/silver/gold) expressed with the same classes.

A member holds a level per subject area. Assessments (by self, peer or faculty) are kept as
history; the level a member holds on a date is that of their latest assessment on or before it.
A learning journey plans a level per subject by a date.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from collab_core.domain._rules import each, each_non_blank, is_type, non_blank, positive, to_tuple
from collab_core.domain.errors import DomainValidationError

__all__ = [
    "DEFAULT_SUBJECT_AREAS",
    "THREE_LS",
    "Assessment",
    "AssessorKind",
    "Framework",
    "JourneyStep",
    "LearningJourney",
    "Level",
    "SubjectArea",
    "levels_on",
]


@functools.total_ordering
@attrs.frozen(eq=True, order=False)
class Level:
    """A level of a framework. Levels compare only within their own framework."""

    framework: str = attrs.field(validator=non_blank)
    rank: int = attrs.field(validator=positive)
    name: str = attrs.field(validator=non_blank)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        if other.framework != self.framework:
            raise DomainValidationError(
                "level",
                f"levels of {self.framework} and {other.framework} do not compare",
                other.name,
            )
        return self.rank < other.rank

    def __str__(self) -> str:
        return self.name


@attrs.frozen
class SubjectArea:
    """A QI subject area, e.g. ``SubjectArea("measurement", "Measurement for improvement")``."""

    code: str = attrs.field(validator=non_blank)
    name: str = attrs.field(validator=non_blank)


def _unique_codes(
    _inst: object, attr: attrs.Attribute[Any], value: tuple[SubjectArea, ...]
) -> None:
    codes = [s.code for s in value]
    if len(codes) != len(set(codes)):
        raise DomainValidationError(attr.name, "subject area codes are unique", codes)


@attrs.frozen
class Framework:
    """A capability framework: ordered level names (lowest first) and subject areas."""

    id: str = attrs.field(validator=non_blank)
    name: str = attrs.field(validator=non_blank)
    level_names: tuple[str, ...] = attrs.field(converter=to_tuple, validator=each_non_blank)
    subjects: tuple[SubjectArea, ...] = attrs.field(
        converter=to_tuple, validator=[each(SubjectArea), _unique_codes]
    )

    def __attrs_post_init__(self) -> None:
        if not self.level_names:
            raise DomainValidationError("level_names", "a framework has at least one level", ())
        # Levels are looked up by name without regard to case, so names differ in more than case.
        if len({n.casefold() for n in self.level_names}) != len(self.level_names):
            raise DomainValidationError("level_names", "level names are unique", self.level_names)

    @property
    def levels(self) -> tuple[Level, ...]:
        return tuple(Level(self.id, i + 1, n) for i, n in enumerate(self.level_names))

    @property
    def lowest(self) -> Level:
        return self.levels[0]

    def level(self, name: str) -> Level:
        for lvl in self.levels:
            if lvl.name.casefold() == name.casefold():
                return lvl
        raise DomainValidationError(
            "level", f"must be one of {', '.join(self.level_names)} in {self.name}", name
        )

    def subject(self, code: str) -> SubjectArea:
        for s in self.subjects:
            if s.code == code:
                return s
        raise DomainValidationError("subject", f"is not a subject area of {self.name}", code)

    def with_subjects(self, subjects: Iterable[SubjectArea]) -> Framework:
        """The same levels over another list of subject areas (the list is configurable)."""
        return attrs.evolve(self, subjects=tuple(subjects))


# The collaborative names Model for Improvement, Measurement and Culture; the rest of this
# default list follows common NHS QI curricula. Trusts configure their own with with_subjects.
DEFAULT_SUBJECT_AREAS: tuple[SubjectArea, ...] = (
    SubjectArea("model-for-improvement", "Model for Improvement"),
    SubjectArea("measurement", "Measurement for improvement"),
    SubjectArea("run-spc-charts", "Run charts and SPC charts"),
    SubjectArea("process-mapping", "Process mapping"),
    SubjectArea("human-factors", "Human factors"),
    SubjectArea("co-production", "Co-production"),
    SubjectArea("culture", "Psychological safety and culture"),
    SubjectArea("leading-improvement", "Leading improvement"),
    SubjectArea("driver-diagrams", "Aims and driver diagrams"),
    SubjectArea("pdsa", "Plan-do-study-act cycles"),
)

THREE_LS = Framework(
    id="3ls",
    name="The 3 L's (Learn, Live, Lead)",
    level_names=("Learn", "Live", "Lead"),
    subjects=DEFAULT_SUBJECT_AREAS,
)


class AssessorKind(enum.StrEnum):
    SELF = "self"
    PEER = "peer"
    FACULTY = "faculty"


@attrs.frozen
class Assessment:
    """An assessment that ``member_id`` holds ``level`` in ``subject`` on ``assessed_on``."""

    id: uuid.UUID = attrs.field(validator=is_type(uuid.UUID))
    member_id: uuid.UUID = attrs.field(validator=is_type(uuid.UUID))
    framework: str = attrs.field(validator=non_blank)
    subject: str = attrs.field(validator=non_blank)
    level: str = attrs.field(validator=non_blank)
    assessed_on: dt.date = attrs.field(validator=is_type(dt.date))
    assessor: AssessorKind = attrs.field(default=AssessorKind.SELF, validator=is_type(AssessorKind))

    def check_against(self, framework: Framework) -> Level:
        """The assessed level, after checking framework, subject and level names."""
        if framework.id != self.framework:
            raise DomainValidationError("framework", f"must be {framework.id}", self.framework)
        framework.subject(self.subject)
        return framework.level(self.level)


def levels_on(
    assessments: Iterable[Assessment], framework: Framework, as_of: dt.date
) -> dict[tuple[uuid.UUID, str], Level]:
    """The level each member holds in each subject on ``as_of``: the latest assessment on or
    before that date wins (ties broken by record id, which is time-ordered).

    Streams: memory grows with members x subjects, not with assessments.
    """
    latest: dict[tuple[uuid.UUID, str], tuple[dt.date, uuid.UUID, Level]] = {}
    for a in assessments:
        if a.framework != framework.id or a.assessed_on > as_of:
            continue
        # Check every assessment, not only the winners, so the answer (or the error) does not
        # depend on the order the history arrives in.
        level = a.check_against(framework)
        key = (a.member_id, a.subject)
        stamp = (a.assessed_on, a.id)
        held = latest.get(key)
        if held is None or stamp > held[:2]:
            latest[key] = (a.assessed_on, a.id, level)
    return {k: v[2] for k, v in latest.items()}


@attrs.frozen
class JourneyStep:
    """A planned level in a subject area, to be reached by a date."""

    subject: str = attrs.field(validator=non_blank)
    level: str = attrs.field(validator=non_blank)
    by: dt.date = attrs.field(validator=is_type(dt.date))


@attrs.frozen
class LearningJourney:
    """A member's planned QI learning journey in a framework."""

    id: uuid.UUID = attrs.field(validator=is_type(uuid.UUID))
    member_id: uuid.UUID = attrs.field(validator=is_type(uuid.UUID))
    framework: str = attrs.field(validator=non_blank)
    planned_on: dt.date = attrs.field(validator=is_type(dt.date))
    steps: tuple[JourneyStep, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(JourneyStep)
    )

    def __attrs_post_init__(self) -> None:
        subjects = [step.subject for step in self.steps]
        if len(set(subjects)) != len(subjects):
            raise DomainValidationError(
                "steps", "a journey plans one level per subject area", sorted(subjects)
            )
        for i, step in enumerate(self.steps):
            if step.by < self.planned_on:
                raise DomainValidationError(
                    f"steps[{i}].by", "a planned step is due on or after the plan", step.by
                )

    def check_against(self, framework: Framework) -> None:
        for step in self.steps:
            framework.subject(step.subject)
            framework.level(step.level)

    def progress(
        self, framework: Framework, held: Mapping[tuple[uuid.UUID, str], Level], as_of: dt.date
    ) -> dict[str, str]:
        """Each step's status on ``as_of``: ``"reached"``, ``"overdue"`` or ``"planned"``."""
        out: dict[str, str] = {}
        for step in self.steps:
            target = framework.level(step.level)
            have = held.get((self.member_id, step.subject))
            if have is not None and have >= target:
                out[step.subject] = "reached"
            elif step.by < as_of:
                out[step.subject] = "overdue"
            else:
                out[step.subject] = "planned"
        return out
