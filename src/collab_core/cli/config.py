"""The ``collab`` command's configuration: ``collab.toml`` (read with :mod:`tomllib`), where
every setting may also come from an environment variable ``COLLAB_<KEY>`` (dots become
underscores: ``trust.code`` is ``COLLAB_TRUST_CODE``), which wins over the file.

A mistake names the setting, where it came from and what would be accepted.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Callable, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs

from collab_core import (
    Audience,
    CandourPolicy,
    ConfigurationError,
    Direction,
    DomainValidationError,
    OdsCode,
    ScopePolicy,
    Target,
    Trust,
)

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_CONFIG",
    "DEFAULT_STORE",
    "SETTINGS",
    "CollabConfig",
    "TrustSettings",
    "env_name",
    "load_config",
]

DEFAULT_CONFIG = Path("collab.toml")
DEFAULT_STORE = "sqlite:///collab.db"
#: The environment variable naming the configuration file (default ``./collab.toml``).
CONFIG_ENV = "COLLAB_CONFIG"


@attrs.frozen
class TrustSettings:
    """A trust as configuration describes it; :meth:`trust` makes the domain record."""

    code: OdsCode
    name: str
    joined: dt.date
    left: dt.date | None = None
    scope: ScopePolicy = attrs.field(factory=ScopePolicy)

    def trust(self) -> Trust:
        return Trust(self.code, self.name, self.joined, self.left, self.scope)


@attrs.frozen
class CollabConfig:
    """Every setting of the ``collab`` command, checked.

    :param path: the file read (``None`` when there was none: defaults and environment only).
    """

    path: Path | None = None
    store: str = DEFAULT_STORE
    trust: TrustSettings | None = None
    collaborative_name: str = "The collaborative"
    trusts: tuple[TrustSettings, ...] = ()
    audiences: tuple[Audience, ...] = (Audience.COLLABORATIVE, Audience.FAMILY)
    publishers: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict)
    capability_baseline_on: dt.date = dt.date(2017, 4, 1)
    capability_deadline: dt.date = dt.date(2019, 3, 31)
    capability_growth: Fraction = Fraction(3, 10)
    targets: tuple[Target, ...] = ()
    candour: CandourPolicy = attrs.field(factory=CandourPolicy)
    batch_size: int = 250

    def known_trust(self, code: OdsCode) -> TrustSettings | None:
        """The configured trust with ``code``: the ``[trust]`` or one of the collaborative's."""
        for t in (self.trust, *self.trusts):
            if t is not None and t.code == code:
                return t
        return None


def env_name(key: str) -> str:
    """``trust.code`` → ``COLLAB_TRUST_CODE``."""
    return "COLLAB_" + key.upper().replace(".", "_")


# -- reading values -------------------------------------------------------------------------------


class _BadValueError(ValueError):
    pass


def _text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _BadValueError
    return value.strip()


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        raise _BadValueError
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(_text(value))
    except ValueError:
        raise _BadValueError from None


def _bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise _BadValueError


def _int(value: object) -> int:
    if isinstance(value, bool):
        raise _BadValueError
    if isinstance(value, int):
        return value
    try:
        return int(_text(value))
    except ValueError:
        raise _BadValueError from None


def _positive(value: object) -> int:
    n = _int(value)
    if n < 1:
        raise _BadValueError
    return n


def _months_or_off(value: object) -> int | None:
    if value is False or (isinstance(value, str) and value.strip().lower() in ("false", "off")):
        return None
    return _positive(value)


def _fraction(value: object) -> Fraction:
    if isinstance(value, bool | float):
        raise _BadValueError
    text = str(value).strip()
    try:
        result = Fraction(text[:-1]) / 100 if text.endswith("%") else Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise _BadValueError from None
    if result <= 0:
        raise _BadValueError
    return result


def _audiences(value: object) -> tuple[Audience, ...]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not items:
        raise _BadValueError
    try:
        return tuple(Audience(str(i).strip()) for i in items)
    except ValueError:
        raise _BadValueError from None


def _ods(value: object) -> OdsCode:
    if isinstance(value, OdsCode):
        return value
    try:
        return OdsCode(_text(value))
    except DomainValidationError:
        raise _BadValueError from None


def _table(value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _BadValueError
    return value


def _tables(value: object) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise _BadValueError
    return value


#: Every setting: its reader and what it accepts, in the words of error messages.
SETTINGS: dict[str, tuple[Callable[[object], Any], str]] = {
    "store": (_text, "a store URL such as sqlite:///collab.db or postgresql://host/db"),
    "audiences": (_audiences, f"a list of audiences from {', '.join(a.value for a in Audience)}"),
    "publishers": (_table, "a table per publisher, [publishers.NAME], holding its settings"),
    "trust.code": (_ods, "the trust's 3-character ODS code, e.g. RX2"),
    "trust.name": (_text, "the trust's name"),
    "trust.joined": (_date, "the day the trust joined the collaborative, e.g. 2016-04-01"),
    "trust.left": (_date, "the day the trust left, e.g. 2020-03-31"),
    "trust.scope.inpatient": (_bool, "true or false"),
    "trust.scope.community_contact_months": (_months_or_off, "a number of months, or false"),
    "trust.scope.discharge_days": (_months_or_off, "a number of days, or false"),
    "trust.scope.route_ld_autism_to_leder": (_bool, "true or false"),
    "collaborative.name": (_text, "the collaborative's name"),
    "collaborative.trusts": (
        _tables,
        "a list of tables with code, name, joined (and left): [[collaborative.trusts]]",
    ),
    "targets.capability_baseline_on": (_date, "a date such as 2017-04-01"),
    "targets.capability_deadline": (_date, "a date such as 2019-03-31"),
    "targets.capability_growth": (_fraction, 'a growth such as "30%" or "3/10" (no floats)'),
    "targets.custom": (
        _table,
        "a table per target, [targets.custom.ID], with measure, baseline, baseline_on, goal, "
        "deadline (and direction, title)",
    ),
    "candour.deadline_days": (_positive, "a whole number of days, e.g. 10"),
    "candour.working_days": (_bool, "true (working days) or false (calendar days)"),
    "import.batch_size": (_positive, "a whole number of rows, e.g. 250"),
}
# Settings whose value is a table or list of tables: they are read whole, not flattened.
_WHOLE = {"publishers", "collaborative.trusts", "targets.custom"}


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if name in _WHOLE or not isinstance(value, Mapping):
            out[name] = value
        else:
            out |= _flatten(value, f"{name}.")
    return out


def _env_value(key: str, text: str) -> object:
    if key in _WHOLE:
        try:
            return tomllib.loads(f"v = {text}")["v"]
        except tomllib.TOMLDecodeError as exc:
            raise ConfigurationError(
                f"{key} (from {env_name(key)}): must be a TOML inline value ({exc})"
            ) from None
    return text


def load_config(path: Path | None = None, environ: Mapping[str, str] | None = None) -> CollabConfig:
    """Read the configuration: ``path`` (or ``$COLLAB_CONFIG``, or ``./collab.toml`` when it
    exists), then the ``COLLAB_*`` environment variables over it.

    :raises ConfigurationError: a file that cannot be read or parsed, an unknown setting, or a
        value a setting does not accept; the message names the setting and what it accepts.
    """
    env = os.environ if environ is None else environ
    explicit = path is not None or CONFIG_ENV in env
    chosen = path if path is not None else Path(env.get(CONFIG_ENV, str(DEFAULT_CONFIG)))
    raw: dict[str, Any] = {}
    origin: dict[str, str] = {}
    if chosen.is_file():
        try:
            data = tomllib.loads(chosen.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigurationError(f"{chosen}: cannot be read ({exc})") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigurationError(f"{chosen}: not valid TOML ({exc})") from None
        for key, value in _flatten(data).items():
            if key not in SETTINGS:
                raise ConfigurationError(
                    f"{key} (in {chosen}): is not a setting (settings: {', '.join(SETTINGS)})"
                )
            raw[key] = value
            origin[key] = f"in {chosen.name}"
    elif explicit:
        raise ConfigurationError(f"{chosen}: no such configuration file (collab init writes one)")
    for key in SETTINGS:
        name = env_name(key)
        if name in env:
            raw[key] = _env_value(key, env[name])
            origin[key] = f"from {name}"
    values: dict[str, Any] = {}
    for key, value in raw.items():
        reader, accepted = SETTINGS[key]
        try:
            values[key] = reader(value)
        except _BadValueError:
            raise ConfigurationError(
                f"{key} ({origin[key]}): must be {accepted} (got {value!r})"
            ) from None
    return _build(values, chosen if chosen.is_file() else None, origin)


def _build(values: Mapping[str, Any], path: Path | None, origin: Mapping[str, str]) -> CollabConfig:
    config: dict[str, Any] = {"path": path}
    simple = {
        "store": "store",
        "audiences": "audiences",
        "collaborative.name": "collaborative_name",
        "targets.capability_baseline_on": "capability_baseline_on",
        "targets.capability_deadline": "capability_deadline",
        "targets.capability_growth": "capability_growth",
        "import.batch_size": "batch_size",
    }
    for key, attr in simple.items():
        if key in values:
            config[attr] = values[key]
    if "publishers" in values:
        publishers = {}
        for name, settings in values["publishers"].items():
            if not isinstance(settings, Mapping):
                raise ConfigurationError(
                    f"publishers.{name} ({origin['publishers']}): must be a table of the "
                    f"publisher's settings"
                )
            publishers[name] = dict(settings)
        config["publishers"] = publishers
    trust_keys = [k for k in values if k.startswith("trust.")]
    if trust_keys:
        config["trust"] = _trust_from(
            {k.removeprefix("trust."): values[k] for k in trust_keys}, "trust", origin
        )
    if "collaborative.trusts" in values:
        config["trusts"] = tuple(
            _trust_from(dict(t), f"collaborative.trusts[{i}]", origin)
            for i, t in enumerate(values["collaborative.trusts"])
        )
    if "targets.custom" in values:
        config["targets"] = tuple(
            _target(name, spec, origin) for name, spec in values["targets.custom"].items()
        )
    candour = {}
    if "candour.deadline_days" in values:
        candour["deadline_days"] = values["candour.deadline_days"]
    if "candour.working_days" in values:
        candour["working_days"] = values["candour.working_days"]
    try:
        config["candour"] = CandourPolicy(**candour)
    except DomainValidationError as exc:
        raise ConfigurationError(f"candour.{exc.field}: {exc.rule}") from None
    return CollabConfig(**config)


def _trust_from(values: Mapping[str, Any], where: str, origin: Mapping[str, str]) -> TrustSettings:
    def get(name: str, reader: Callable[[object], Any], accepted: str) -> Any:
        value = values.get(name)
        try:
            return reader(value)
        except _BadValueError:
            found = origin.get(f"{where}.{name}", origin.get(where, "in the configuration"))
            raise ConfigurationError(
                f"{where}.{name} ({found}): must be {accepted} (got {value!r})"
            ) from None

    for needed in ("code", "name", "joined"):
        if needed not in values:
            raise ConfigurationError(
                f"{where}.{needed}: is needed for a trust (code, name and joined; "
                f"e.g. {env_name(f'{where}.{needed}')} in the environment)"
                if where == "trust"
                else f"{where}.{needed}: is needed for a trust (code, name and joined)"
            )
    scope = {k.removeprefix("scope."): v for k, v in values.items() if k.startswith("scope.")}
    left = values.get("left")
    try:
        return TrustSettings(
            code=get("code", _ods, "a 3-character ODS code"),
            name=get("name", _text, "the trust's name"),
            joined=get("joined", _date, "a date such as 2016-04-01"),
            left=None if left is None else get("left", _date, "a date"),
            scope=ScopePolicy(**scope),
        )
    except DomainValidationError as exc:
        raise ConfigurationError(f"{where}.{exc.field}: {exc.rule}") from None


def _target(name: str, spec: object, origin: Mapping[str, str]) -> Target:
    where = f"targets.custom.{name}"
    if not isinstance(spec, Mapping):
        raise ConfigurationError(f"{where} ({origin['targets.custom']}): must be a table")
    known = {"measure", "baseline", "baseline_on", "goal", "deadline", "direction", "title"}
    unknown = sorted(set(spec) - known)
    if unknown:
        raise ConfigurationError(
            f"{where}.{unknown[0]}: is not a key of a target ({', '.join(sorted(known))})"
        )
    try:
        return Target(
            id=name,
            measure=spec.get("measure"),  # type: ignore[arg-type]
            baseline=_fraction_or_int(spec.get("baseline")),
            baseline_on=_date(spec.get("baseline_on")),
            goal=_fraction_or_int(spec.get("goal")),
            deadline=_date(spec.get("deadline")),
            direction=Direction(spec.get("direction", "up")),
            title=str(spec.get("title", "")),
        )
    except _BadValueError:
        raise ConfigurationError(
            f'{where}: needs measure, baseline and goal (whole numbers or "a/b"), baseline_on '
            f"and deadline (dates)"
        ) from None
    except ValueError as exc:  # DomainValidationError, or an unknown direction
        detail = (
            f"{exc.field}: {exc.rule}"
            if isinstance(exc, DomainValidationError)
            else "direction: must be up or down"
        )
        raise ConfigurationError(f"{where}.{detail}") from None


def _fraction_or_int(value: object) -> Fraction:
    if isinstance(value, int) and not isinstance(value, bool):
        return Fraction(value)
    if isinstance(value, str):
        try:
            return Fraction(value.strip())
        except ValueError:
            raise _BadValueError from None
    raise _BadValueError
