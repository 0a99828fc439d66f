"""The privacy gate itself: control a publication for its audience, scan every string of its
serialised title and body, refuse with the findings, or preview with every finding masked.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from collab_core.domain.disclosure import (
    TITLE_FIELD,
    Count,
    CountPolicy,
    Figure,
    PrivacyFinding,
    Share,
    Span,
    apply_disclosure,
    find_dates,
    find_emails,
    find_names,
    find_pattern,
    find_phone_numbers,
    find_postcodes,
    key_path,
    mask,
    merge_spans,
    value_path,
    walk_text,
)
from collab_core.domain.errors import (
    CollabError,
    ConfigurationError,
    DomainValidationError,
    PluginError,
    PrivacyError,
)
from collab_core.domain.scanning import find_nhs_numbers
from collab_core.ports import Publication, PublicationBody
from collab_core.serialization import structure, unstructure
from collab_core.sharing.rules import (
    DEFAULT_AUDIENCES,
    AudienceSpec,
    DenyLists,
    PrivacyRule,
    RuleSource,
)

__all__ = ["Preview", "PrivacyGate"]

logger = logging.getLogger("collab_core.sharing")


@attrs.frozen
class Preview:
    """What the gate would do with a publication, for a comms officer to see before publishing.

    :param publication: the publication as it would go out (counts controlled, dates coarsened)
        with every span the gate found masked with ``█``. When masking leaves a typed body
        invalid (a masked trust code, say), the body is the masked payload as plain data.
    :param findings: everything found: field, rule and position, never the text.
    :param audience: the audience the publication was checked for.
    """

    publication: Publication
    findings: tuple[PrivacyFinding, ...]
    audience: str

    @property
    def passed(self) -> bool:
        """Whether the publication would pass the gate as it is."""
        return not self.findings


@attrs.frozen
class _Scanner:
    rule: str
    plugin: str | None
    find: Callable[[str], Iterable[Span]]
    numbers: bool = False  # also run on whole numbers (an NHS number can be an int)


@attrs.frozen
class _Examined:
    audience: AudienceSpec
    publication: Publication  # controlled
    data: Any  # the body's payload data that was scanned
    findings: tuple[PrivacyFinding, ...]
    spans: Mapping[str, list[Span]]  # field path -> spans found in its text


def _no_rules(_audience: AudienceSpec) -> Sequence[tuple[str | None, PrivacyRule]]:
    return ()


def _no_names(_audience: AudienceSpec) -> Sequence[tuple[str | None, Sequence[str]]]:
    return ()


class PrivacyGate:
    """The privacy gate for a set of audiences, with the trust rules and deny-lists of plugins.

    :param audiences: the audiences it knows, by name (default :data:`DEFAULT_AUDIENCES`).
    :param rules: called with an audience, returns the trust rules for it as
        ``(plugin name, rule)`` pairs.
    :param deny_lists: called with an audience, returns the names to refuse as
        ``(plugin name, names)`` pairs.

    :meth:`Collaborative.publish <collab_core.service.Collaborative.publish>` runs
    :meth:`check` on every publication before it enqueues it.
    """

    def __init__(
        self,
        audiences: Mapping[str, AudienceSpec] | Iterable[AudienceSpec] = DEFAULT_AUDIENCES,
        *,
        rules: RuleSource = _no_rules,
        deny_lists: DenyLists = _no_names,
    ) -> None:
        specs = audiences.values() if isinstance(audiences, Mapping) else audiences
        self._audiences = {spec.name: spec for spec in specs}
        self._rules = rules
        self._deny_lists = deny_lists

    @property
    def audiences(self) -> Mapping[str, AudienceSpec]:
        """The audiences the gate knows, by name."""
        return dict(self._audiences)

    def audience_of(self, publication: Publication) -> AudienceSpec:
        """The audience ``publication`` is checked for: the one its body was built for (a typed
        body's ``audience`` field, or a mapping body's ``"audience"`` naming a known audience),
        else the one named by ``publication.audience``. A body built for an audience that is not
        delivered as ``publication.audience`` is refused (rule ``audience``).

        :raises ConfigurationError: no audience of that name is known.
        """
        name = _body_audience(publication.body, self._audiences) or publication.audience.value
        spec = self._audiences.get(name)
        if spec is None:
            known = ", ".join(sorted(self._audiences)) or "none"
            raise ConfigurationError(f"audience: {name!r} is not a known audience (known: {known})")
        return spec

    def policy(self, audience: AudienceSpec) -> CountPolicy:
        """The count policy for ``audience``, made stricter by any trust rule's threshold."""
        return _policy(audience, self._trust_rules(audience))

    def control(self, publication: Publication) -> Publication:
        """``publication`` as its audience may see it: every count controlled and every date
        coarsened by the audience's policy (nothing is scanned or refused here)."""
        audience = self.audience_of(publication)
        return _control(publication, audience, self._trust_rules(audience))

    def check(self, publication: Publication) -> Publication:
        """``publication`` controlled for its audience, if nothing in it must be refused.

        :raises PrivacyError: something was found; the error names each finding's field, rule
            and position, never the text.
        :raises PluginError: a trust rule or a deny-list raised (the publication is refused).
        """
        examined = self._examine(publication)
        if examined.findings:
            error = PrivacyError(
                publication.id, publication.kind, examined.audience.name, examined.findings
            )
            logger.warning("%s", error)
            raise error
        return examined.publication

    def preview(self, publication: Publication) -> Preview:
        """What :meth:`check` would find, with the publication controlled and every offending
        span masked with ``█``. Never raises :class:`~collab_core.PrivacyError`."""
        examined = self._examine(publication)
        controlled = examined.publication
        title = mask(controlled.title, examined.spans.get(TITLE_FIELD, []))
        body: Any = controlled.body
        if any(path != TITLE_FIELD for path in examined.spans):
            data = _masked(examined.data, "$", examined.spans)
            body = data
            if isinstance(controlled.body, PublicationBody):
                try:
                    body = structure(type(controlled.body), data)
                except CollabError:
                    body = data  # masked beyond what the typed body accepts: plain data
        shown = attrs.evolve(controlled, title=title, body=body)
        return Preview(shown, examined.findings, examined.audience.name)

    # -- inside the gate -------------------------------------------------------------------

    def _trust_rules(self, audience: AudienceSpec) -> list[tuple[str | None, PrivacyRule]]:
        out = []
        for plugin, rule in self._rules(audience):
            if not isinstance(rule, PrivacyRule):
                raise PluginError(
                    f"plugin {plugin!r}: collab_privacy_rules must return PrivacyRule objects, "
                    f"not {type(rule).__name__}"
                )
            out.append((plugin, rule))
        return out

    def _scanners(
        self, audience: AudienceSpec, rules: Sequence[tuple[str | None, PrivacyRule]]
    ) -> list[_Scanner]:
        scanners = [
            _Scanner("nhs_number", None, find_nhs_numbers, numbers=True),
            _Scanner("postcode", None, find_postcodes),
            _Scanner("email", None, find_emails),
            _Scanner("phone", None, find_phone_numbers),
        ]
        if audience.dates_in_text:
            scanners.append(_Scanner("date", None, find_dates))
        for plugin, names in self._deny_lists(audience):
            listed = tuple(n for n in names if n.strip())
            if listed:
                scanners.append(_Scanner("name", plugin, _names_finder(listed)))
        for plugin, rule in rules:
            for pattern in rule.patterns:
                scanners.append(_Scanner(rule.name, plugin, _pattern_finder(pattern)))
            if rule.names:
                scanners.append(_Scanner(rule.name, plugin, _names_finder(rule.names)))
            if rule.find is not None:
                scanners.append(_Scanner(rule.name, plugin, rule.find))
        return scanners

    def _examine(self, publication: Publication) -> _Examined:
        audience = self.audience_of(publication)
        rules = self._trust_rules(audience)  # asked once per publication
        controlled, exact_fractions = _controlled(publication, audience, rules)
        body = controlled.body
        data = unstructure(body) if isinstance(body, PublicationBody) else dict(body)
        scanners = self._scanners(audience, rules)
        findings: list[PrivacyFinding] = []
        spans: dict[str, list[Span]] = {}

        def scan(field: str, text: str, number: bool = False) -> list[Span]:
            found: list[Span] = []
            for scanner in scanners:
                if number and not scanner.numbers:
                    continue
                for start, end in _run(scanner, text, publication):
                    findings.append(PrivacyFinding(field, scanner.rule, start, end, scanner.plugin))
                    found.append((start, end))
            if found:
                spans.setdefault(field, []).extend(found)
            return found

        if audience.base is not publication.audience:
            findings.append(PrivacyFinding("$.audience", "audience", 0, len(audience.name)))
        scan(TITLE_FIELD, controlled.title)
        key_clean: dict[str, bool] = {}

        def plain_key(key: str) -> bool:
            return key_clean.setdefault(key, not _quiet_scan(scanners, key, publication))

        typed = isinstance(body, PublicationBody)
        for leaf in walk_text(data, plain_key=plain_key):
            exact = (
                _EXACT_NUMBER.fullmatch(leaf.text)
                if not leaf.key and (typed or leaf.text in exact_fractions)
                else None
            )
            if exact is None:
                scan(leaf.path, leaf.text, leaf.number)
            elif exact["denominator"] == "1":
                # a whole number written exactly: checked as the whole number it is
                scan(leaf.path, leaf.text[: exact.end("numerator")], number=True)
            # any other exact fraction is a computed figure (a trajectory's value, a mean), not
            # text: its numerator is no identifier, whatever its digits (in a plain body, the
            # fractions that are values of its counts, shares and figures)
        return _Examined(audience, controlled, data, tuple(findings), spans)


# How a typed body's exact numbers (``Fraction``) are written in its payload.
_EXACT_NUMBER = re.compile(r"-?(?P<numerator>[0-9]+)/(?P<denominator>[0-9]+)")


def _body_audience(body: object, known: Mapping[str, AudienceSpec]) -> str | None:
    """The audience a body was built for: a typed body's ``audience`` field, or a mapping
    body's ``"audience"`` entry when it names a known audience."""
    if isinstance(body, PublicationBody):
        name = getattr(body, "audience", None)
        return name if isinstance(name, str) else None
    if isinstance(body, Mapping):
        name = body.get("audience")
        return name if isinstance(name, str) and name in known else None
    return None


def _policy(audience: AudienceSpec, rules: Sequence[tuple[str | None, PrivacyRule]]) -> CountPolicy:
    counts = audience.counts
    for plugin, rule in rules:
        if rule.threshold is not None:
            counts = _stricter(counts, rule.threshold, plugin)
    return counts


def _control(
    publication: Publication,
    audience: AudienceSpec,
    rules: Sequence[tuple[str | None, PrivacyRule]],
) -> Publication:
    return _controlled(publication, audience, rules)[0]


def _controlled(
    publication: Publication,
    audience: AudienceSpec,
    rules: Sequence[tuple[str | None, PrivacyRule]],
) -> tuple[Publication, frozenset[str]]:
    """The publication under the audience's disclosure control, and the exact fractions
    (``"2315384/729"``) that a plain body holds as the values of its counts, shares and figures:
    computed numbers, like a typed body's, not text."""
    counts = _policy(audience, rules)
    body: Any = publication.body
    exact: frozenset[str] = frozenset()
    if not isinstance(body, PublicationBody):
        body = _revived(dict(body))
    body = apply_disclosure(body, counts, audience.dates)
    if not isinstance(body, PublicationBody):
        exact = frozenset(_exact_fractions(body))
        body = _plain_data(body)
    return attrs.evolve(publication, body=body), exact


def _exact_fractions(value: Any) -> Iterator[str]:
    """The exact fractions written in the payloads of the typed numbers inside ``value``."""
    if isinstance(value, Count | Share | Figure):
        for leaf in walk_text(unstructure(value)):
            if not leaf.key and _EXACT_NUMBER.fullmatch(leaf.text):
                yield leaf.text
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _exact_fractions(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _exact_fractions(item)


# The payload forms of the typed numbers, by their keys: a plain body that went through a store
# holds its counts this way, and they are controlled like the typed ones.
_FORMS: tuple[tuple[frozenset[str], type[Any]], ...] = (
    (frozenset({"value", "disclosure"}), Count),
    (frozenset({"numerator", "denominator", "value"}), Share),
    (frozenset({"value", "of"}), Figure),
)


def _revived(value: Any) -> Any:
    """``value`` with every mapping in the payload form of a Count, Share or Figure read back
    into that type (anything else is left as it is)."""
    if isinstance(value, Mapping):
        keys = frozenset(value)
        for form, cls in _FORMS:
            if keys == form:
                try:
                    return structure(cls, value)
                except CollabError:
                    break
        return {k: _revived(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_revived(v) for v in value]
    return value


def _stricter(counts: CountPolicy, threshold: int, plugin: str | None) -> CountPolicy:
    try:
        return counts.stricter(threshold)
    except CollabError:
        raise
    except Exception as exc:  # a plugin's policy that fails refuses the publication
        raise PluginError(
            f"the count policy {counts.name!r} raised {type(exc).__name__} when plugin "
            f"{plugin!r} asked for a threshold of {threshold}; the publication is refused"
        ) from None


def _names_finder(names: Sequence[str]) -> Callable[[str], list[Span]]:
    return lambda text: find_names(text, names)


def _pattern_finder(pattern: re.Pattern[str]) -> Callable[[str], list[Span]]:
    return lambda text: find_pattern(text, pattern)


def _run(scanner: _Scanner, text: str, publication: Publication) -> list[Span]:
    """The spans ``scanner`` finds in ``text``; a plugin's rule that raises or answers nonsense
    refuses the publication with a PluginError that names the plugin but not the text."""
    if scanner.plugin is None and scanner.rule != "name":
        return list(scanner.find(text))
    try:
        spans = [(int(s), int(e)) for s, e in scanner.find(text)]
    except Exception as exc:
        raise PluginError(
            f"plugin {scanner.plugin!r}: privacy rule {scanner.rule!r} raised "
            f"{type(exc).__name__} while checking publication {publication.id}; "
            "the publication is refused"
        ) from None
    for start, end in spans:
        if not 0 <= start <= end <= len(text):
            raise PluginError(
                f"plugin {scanner.plugin!r}: privacy rule {scanner.rule!r} returned a span "
                f"outside the text while checking publication {publication.id}; "
                "the publication is refused"
            )
    return [(s, e) for s, e in spans if e > s]


def _quiet_scan(scanners: Sequence[_Scanner], text: str, publication: Publication) -> bool:
    return any(_run(s, text, publication) for s in scanners)


def _plain_data(body: Any) -> dict[str, Any]:
    """A mapping body as plain JSON data: counts and dates in it written as their payloads."""
    data = unstructure(dict(body))
    if not all(isinstance(k, str) for k in data):
        raise DomainValidationError("body", "a mapping body's keys must be strings", sensitive=True)
    try:
        json.dumps(data, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise DomainValidationError(
            "body", f"must be plain JSON data ({type(exc).__name__})", sensitive=True
        ) from None
    return dict(data)


def _masked(value: Any, path: str, spans: Mapping[str, list[Span]]) -> Any:
    """``value`` with the text at each path in ``spans`` masked, keys included (the paths are
    those :func:`~collab_core.domain.disclosure.walk_text` gave)."""
    if isinstance(value, str):
        return mask(value, merge_spans(spans.get(path, [])))
    if isinstance(value, int) and not isinstance(value, bool) and path in spans:
        return mask(str(value), merge_spans(spans[path]))
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for index, (key, item) in enumerate(value.items()):
            text = str(key)
            found = spans.get(key_path(path, index), [])
            new_key = mask(text, merge_spans(found))
            while new_key in out:  # two keys masked alike: keep both
                new_key += " "
            out[new_key] = _masked(item, value_path(path, text, index, clean=not found), spans)
        return out
    if isinstance(value, list | tuple):
        return [_masked(item, f"{path}[{i}]", spans) for i, item in enumerate(value)]
    return value
