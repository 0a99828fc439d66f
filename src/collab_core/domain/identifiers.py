"""Identifiers: ODS organisation and site codes, trust-local case references, and the NHS number
check that collab_core uses only to *detect and refuse* NHS numbers; it never stores one.

The scanner itself, which every check and every redaction uses, lives in
:mod:`collab_core.domain.scanning`.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from collab_core.domain.errors import DomainValidationError
from collab_core.domain.scanning import find_nhs_numbers

__all__ = [
    "CaseReference",
    "OdsCode",
    "SiteCode",
    "nhs_check_digit",
    "refuse_nhs_numbers",
]

# ODS codes are upper-case alphanumeric (NHS Data Dictionary, organisation coding frames).
_TRUST = re.compile(r"[A-Z0-9]{3}")
_SITE = re.compile(r"[A-Z0-9]{5}")
_CASE_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,63}")
_NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def _check_trust_code(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _TRUST.fullmatch(value):
        raise DomainValidationError(
            attr.name, "a trust ODS code has 3 upper-case letters or digits", value
        )


def _check_site_code(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _SITE.fullmatch(value):
        raise DomainValidationError(
            attr.name, "a trust site ODS code has 5 upper-case letters or digits", value
        )


@attrs.frozen(order=True)
class OdsCode:
    """The 3-character ODS code of an NHS trust, e.g. ``RH8`` (NHS Data Dictionary)."""

    code: str = attrs.field(converter=_upper, validator=_check_trust_code)

    def __str__(self) -> str:
        return self.code


@attrs.frozen(order=True)
class SiteCode:
    """The 5-character ODS code of a trust site: its trust's 3 characters plus 2, e.g. ``RH802``."""

    code: str = attrs.field(converter=_upper, validator=_check_site_code)

    @property
    def trust(self) -> OdsCode:
        """The trust the site belongs to: the first three characters of its code."""
        return OdsCode(self.code[:3])

    def belongs_to(self, trust: OdsCode) -> bool:
        """Whether this site's code starts with ``trust``'s code."""
        return self.trust == trust

    def __str__(self) -> str:
        return self.code


def _check_case_ref(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _CASE_REF.fullmatch(value):
        raise DomainValidationError(
            attr.name,
            "a case reference is 1-64 letters, digits or . _ / - and starts with a letter or digit",
            value,
            sensitive=True,
        )
    if find_nhs_numbers(value):
        raise DomainValidationError(
            attr.name,
            "a case reference is a trust-local pseudonym and must not contain an NHS number",
            sensitive=True,
        )


def _check_trust(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, OdsCode):
        raise DomainValidationError(attr.name, "must be an OdsCode", value)


@attrs.frozen(order=True)
class CaseReference:
    """A trust-local pseudonymous reference to a case, e.g. a Datix id.

    It is meaningful only inside the trust that issued it, so it is always paired with that
    trust. It must not be (or contain) an NHS number, and it is never echoed in errors.
    """

    trust: OdsCode = attrs.field(validator=_check_trust)
    local_id: str = attrs.field(converter=_upper, validator=_check_case_ref)

    def __str__(self) -> str:
        return f"{self.trust}:{self.local_id}"


def _ascii_digits(text: object) -> bool:
    # str.isdigit() accepts superscripts and other scripts' digits; an NHS number is ASCII.
    return isinstance(text, str) and text.isascii() and text.isdigit()


def nhs_check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit for the first nine digits of an NHS number.

    Weights 10..2, sum, remainder mod 11, then 11 - remainder; 11 becomes 0 and 10 means no
    valid number exists with these nine digits, so ``None`` is returned (NHS Data Dictionary).
    """
    if not _ascii_digits(first_nine) or len(first_nine) != 9:
        raise DomainValidationError("first_nine", "must be nine digits", first_nine, sensitive=True)
    total = sum(int(d) * w for d, w in zip(first_nine, _NHS_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def refuse_nhs_numbers(field: str, text: str) -> str:
    """Return ``text`` unchanged, or raise if it contains a valid NHS number.

    The error names the field and the rule, never the number.
    """
    spans = find_nhs_numbers(text)
    if spans:
        raise DomainValidationError(
            field,
            f"free text must not contain an NHS number (found {len(spans)}, at character "
            f"{spans[0][0]})",
            sensitive=True,
        )
    return text
