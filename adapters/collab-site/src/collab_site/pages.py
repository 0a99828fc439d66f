"""The site's pages, built from every publication it holds: where each publication's own page
goes, and the pages drawn from all of them (the overview, the trusts, learning by theme, the
dashboards and the measures). Nothing here writes a file."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

import attrs
import orjson
from markupsafe import Markup

from collab_core import (
    ActionsLine,
    AssuranceBody,
    BulletinAction,
    BulletinItem,
    CandourLine,
    Disclosure,
    HeadlineTargetsBody,
    LearningBulletinBody,
    LfdBlock,
    LfdDashboardBody,
    MeasureChartBody,
    counts_in,
    to_payload,
)
from collab_core.ports import Publication
from collab_site.charts import ChartView, Draw, draw
from collab_site.formatting import dated, percent, plain, shown, slug, words

B = TypeVar("B")

__all__ = ["NAVIGATION", "Page", "own_page", "site_pages"]

#: The header's and footer's links: (path, label, section).
NAVIGATION = (
    ("index.html", "Overview", "overview"),
    ("trusts/index.html", "Trusts", "trusts"),
    ("learning/index.html", "Learning", "learning"),
    ("dashboards/index.html", "Dashboards", "dashboards"),
    ("measures.html", "Measures", "measures"),
    ("assurance/index.html", "Assurance", "assurance"),
)

_BLOCKS = {
    LfdBlock.ALL_AGES: "All ages",
    LfdBlock.ADULTS: "Adults (18 and over)",
    LfdBlock.ADULTS_18_64: "Adults aged 18 to 64",
    LfdBlock.ADULTS_65_PLUS: "Adults aged 65 and over",
    LfdBlock.UNDER_18: "Under 18",
    LfdBlock.AGE_UNKNOWN: "Age not recorded",
    LfdBlock.LD_AUTISM: "People with a learning disability and autistic people (LeDeR)",
}


@attrs.frozen
class Page:
    """One page: its path in the site (``/``-separated), its template and what it shows."""

    path: str
    template: str
    context: Mapping[str, Any]
    bodies: tuple[object, ...] = ()

    @property
    def root(self) -> str:
        """The way back to the site's root from this page (``"../"`` for ``trusts/RH8.html``)."""
        return "../" * self.path.count("/")


def own_page(publication: Publication) -> str:
    """The page a publication is shown on by itself; one publication holds each such page (the
    newest, when two would)."""
    body = publication.body
    if isinstance(body, HeadlineTargetsBody):
        return f"targets/{slug(body.period.label)}.html"
    if isinstance(body, LfdDashboardBody):
        return f"dashboards/{slug(body.period.label, body.trust or '')}.html"
    if isinstance(body, LearningBulletinBody):
        return f"learning/{slug(body.period.label, body.trust or '')}.html"
    if isinstance(body, MeasureChartBody):
        return f"measures/{slug(body.measure, body.period.label)}.html"
    if isinstance(body, AssuranceBody):
        return f"assurance/{slug(body.period.label)}.html"
    return f"other/{slug(publication.kind, publication.title)}.html"


def _newest_first(publications: Iterable[Publication]) -> list[Publication]:
    def order(p: Publication) -> tuple[Any, ...]:
        period = getattr(p.body, "period", None)
        end = period.end.toordinal() if period is not None else 0
        return (-end, -p.created_at.timestamp(), p.title)

    return sorted(publications, key=order)


def _of(publications: Sequence[Publication], kind: type[B]) -> list[tuple[Publication, B]]:
    """The publications whose body is a ``kind``, newest first, each with its body."""
    return [(p, p.body) for p in _newest_first(publications) if isinstance(p.body, kind)]


def _link(href: str, text: str, root: str) -> Markup:
    return Markup('<a href="{}{}">{}</a>').format(root, href, text)


def _trust_names(publications: Sequence[Publication]) -> dict[str, str]:
    names: dict[str, str] = {}
    for p in publications:
        body = p.body
        if isinstance(body, LearningBulletinBody):
            for trust in body.trusts:
                names.setdefault(str(trust.code), trust.name)
        elif isinstance(body, LfdDashboardBody) and body.trust is not None and body.trust_name:
            names.setdefault(str(body.trust), body.trust_name)
        elif isinstance(body, AssuranceBody):
            for trust in body.trusts:
                names.setdefault(str(trust.code), trust.name)
        elif isinstance(body, HeadlineTargetsBody):
            for code in body.coverage.not_shared:
                names.setdefault(str(code), str(code))
        elif isinstance(body, LfdDashboardBody) and body.trust is not None:
            names.setdefault(str(body.trust), str(body.trust))
    return dict(sorted(names.items()))


def _items(bulletins: Sequence[tuple[Publication, LearningBulletinBody]]) -> list[BulletinItem]:
    seen: set[BulletinItem] = set()
    items = []
    for _, body in bulletins:
        for item in body.items:
            if item not in seen:
                seen.add(item)
                items.append(item)
    return items


def _themes_of(item: BulletinItem) -> dict[str, str]:
    themes = {t.code: t.label for t in item.themes}
    for action in item.actions:
        themes.update({t.code: t.label for t in action.themes})
    return themes


def action_rows(actions: Sequence[BulletinAction]) -> list[tuple[str | Markup, ...]]:
    """The rows of an item's table of actions."""
    rows: list[tuple[str | Markup, ...]] = []
    for action in actions:
        impact = f"{words(action.impact.rating)}: {action.impact.summary}" if action.impact else "–"
        rows.append(
            (
                action.description,
                action.owner_role,
                dated(action.due_on),
                words(action.status),
                impact,
            )
        )
    return rows


def _flags(bodies: Iterable[object]) -> dict[str, bool]:
    counts = [c for body in bodies for c in counts_in(body)]
    return {
        "withheld": any(c.is_suppressed for c in counts),
        "rounded": any(c.disclosure is Disclosure.ROUNDED for c in counts),
    }


class _Site:
    """Builds the pages of one site from the publications it holds."""

    def __init__(self, publications: Sequence[Publication], drawn: Draw) -> None:
        self.drawn = drawn
        self.publications = publications
        self.trust_names = _trust_names(publications)
        self.headlines = _of(publications, HeadlineTargetsBody)
        self.dashboards = _of(publications, LfdDashboardBody)
        self.bulletins = _of(publications, LearningBulletinBody)
        self.charts = _of(publications, MeasureChartBody)
        self.assurance = _of(publications, AssuranceBody)
        self.pages: list[Page] = []
        self._chart_views: dict[str, ChartView] = {}

    def add(
        self,
        path: str,
        template: str,
        title: str,
        section: str,
        bodies: Iterable[object] = (),
        breadcrumbs: Sequence[tuple[str, str]] = (),
        **context: Any,
    ) -> None:
        shown_bodies = tuple(bodies)
        self.pages.append(
            Page(
                path,
                template,
                {
                    "page_title": title,
                    "section": section,
                    "breadcrumbs": tuple(breadcrumbs),
                    "trust_names": self.trust_names,
                    **_flags(shown_bodies),
                    **context,
                },
                shown_bodies,
            )
        )

    def chart_view(self, publication: Publication, body: MeasureChartBody) -> ChartView:
        path = own_page(publication)
        if path not in self._chart_views:
            anchor = "chart-" + slug(body.measure, body.period.label)
            self._chart_views[path] = ChartView.of(body, anchor, self.drawn)
        return self._chart_views[path]

    # -- the overview and the headline targets ---------------------------------------------

    def overview(
        self, path: str, held: tuple[Publication, HeadlineTargetsBody] | None, title: str
    ) -> None:
        headline = None if held is None else held[0]
        context: dict[str, Any] = {
            "headline": headline,
            "coverage_rows": [],
            "capability_rows": [],
            "capability_progress": "–",
        }
        bodies: list[object] = []
        if held is not None:
            body = held[1]
            bodies.append(body)
            context["coverage_rows"] = [
                (step.period.label, str(step.shared), str(step.members), percent(step.proportion))
                for step in body.coverage.trajectory
            ]
            if body.capability is not None:
                context["capability_rows"] = [
                    (dated(step.on), shown(step.expected), shown(step.actual))
                    for step in body.capability.trajectory
                ]
                progress = body.capability.progress
                context["capability_progress"] = (
                    plain(progress)
                    if progress.value is None
                    else percent(_fraction(progress.value))
                )
        sections = [(href, label) for href, label, name in NAVIGATION if name != "overview"]
        history = [
            (own_page(p), f"Headline targets, {body.period.label}") for p, body in self.headlines
        ]
        self.add(
            path,
            "overview.html",
            title,
            "overview",
            bodies,
            sections=sections,
            history=history,
            **context,
        )

    # -- trusts ------------------------------------------------------------------------------

    def trusts(self) -> None:
        listed = [
            (f"trusts/{slug(code)}.html", f"{name} ({code})" if name != code else code)
            for code, name in self.trust_names.items()
        ]
        self.add("trusts/index.html", "trusts.html", "Trusts", "trusts", trusts=listed)
        items = _items(self.bulletins)
        latest = self.headlines[0][1] if self.headlines else None
        for code, name in self.trust_names.items():
            path = f"trusts/{slug(code)}.html"
            root = "../"
            own = [
                (p, b) for p, b in self.dashboards if b.trust is not None and str(b.trust) == code
            ]
            rows = []
            for p, body in own:
                cell = (
                    next((c for c in body.rows[-1].blocks if c.block is LfdBlock.ALL_AGES), None)
                    if body.rows
                    else None
                )
                rows.append(
                    (
                        _link(own_page(p), body.period.label, root),
                        shown(cell.deaths) if cell else "–",
                        shown(cell.reviewed) if cell else "–",
                        shown(cell.judged) if cell else "–",
                    )
                )
            facts: list[tuple[str, str | Markup]] = [("ODS code", code)]
            if isinstance(latest, HeadlineTargetsBody):
                shared = code not in {str(c) for c in latest.coverage.not_shared}
                facts.append(
                    (
                        f"Shared its learning, {latest.period.label}",
                        Markup('<strong class="nhsuk-tag nhsuk-tag--{}">{}</strong>').format(
                            "green" if shared else "red", "Yes" if shared else "Not yet"
                        ),
                    )
                )
            own_items = [i for i in items if str(i.trust) == code]
            facts.append(("Learning items published here", str(len(own_items))))
            self.add(
                path,
                "trust.html",
                name,
                "trusts",
                [*(body for _, body in own), *own_items],
                breadcrumbs=[("index.html", "Overview"), ("trusts/index.html", "Trusts")],
                code=code,
                facts=facts,
                dashboards=rows,
                items=own_items,
            )

    # -- learning ----------------------------------------------------------------------------

    def learning(self) -> None:
        items = _items(self.bulletins)
        themes: dict[str, str] = {}
        for item in items:
            themes.update(_themes_of(item))
        by_theme = {code: [i for i in items if code in _themes_of(i)] for code in themes}
        order = sorted(themes, key=lambda c: themes[c].lower())

        def nav(current: str | None) -> list[tuple[str, str, int, bool]]:
            return [
                (f"learning/themes/{slug(c)}.html", themes[c], len(by_theme[c]), c == current)
                for c in order
            ]

        bulletins = [(own_page(p), p.title) for p, _ in self.bulletins]
        crumbs = [("index.html", "Overview"), ("learning/index.html", "Learning")]
        self.add(
            "learning/index.html",
            "learning.html",
            "Learning shared",
            "learning",
            items,
            breadcrumbs=crumbs[:1],
            themes=nav(None),
            bulletins=bulletins,
            items=items,
            items_heading="Every learning item",
            publication=None,
            caption=None,
            intro="Learning from deaths that trusts have shared. Choose a theme to see "
            "only its learning.",
        )
        for code in order:
            self.add(
                f"learning/themes/{slug(code)}.html",
                "learning.html",
                themes[code],
                "learning",
                by_theme[code],
                breadcrumbs=crumbs,
                themes=nav(code),
                bulletins=[],
                items=by_theme[code],
                publication=None,
                caption="Learning by theme",
                items_heading=f"Learning on this theme ({len(by_theme[code])})",
                intro=None,
            )
        for p, body in self.bulletins:
            self.add(
                own_page(p),
                "learning.html",
                p.title,
                "learning",
                [body],
                breadcrumbs=crumbs,
                themes=nav(None),
                bulletins=[],
                items=body.items,
                publication=p,
                caption=f"Shared with the {words(body.shared_with).lower()}",
                items_heading=f"Learning items ({len(body.items)})",
                intro=None,
            )

    # -- dashboards --------------------------------------------------------------------------

    def dashboard_pages(self) -> None:
        listed = [(own_page(p), p.title) for p, _ in self.dashboards]
        self.add(
            "dashboards/index.html",
            "dashboards.html",
            "Learning from Deaths dashboards",
            "dashboards",
            dashboards=listed,
            intro="Quality Account items 27.1 to 27.9, for the collaborative and for each trust.",
            empty="No Learning from Deaths dashboard has been published to this site yet.",
        )
        crumbs = [("index.html", "Overview"), ("dashboards/index.html", "Dashboards")]
        headers = [
            "Period",
            "Deaths in scope",
            "Reviewed or investigated",
            "Reviewed (%)",
            "Judged more likely than not due to problems in care",
            "Judged (%)",
        ]
        for p, body in self.dashboards:
            blocks = []
            for block, label in _BLOCKS.items():
                rows = [
                    (
                        row.period.label,
                        shown(c.deaths),
                        shown(c.reviewed),
                        shown(c.reviewed_share),
                        shown(c.judged),
                        shown(c.judged_share),
                    )
                    for row in body.rows
                    for c in row.blocks
                    if c.block is block
                ]
                if rows:
                    blocks.append((label, headers, rows))
            learning = [
                ("Learning items recorded (27.4)", shown(body.learning.learning_items)),
                ("Actions taken or planned (27.5)", shown(body.learning.actions)),
                ("Actions completed", shown(body.learning.actions_completed)),
                ("Actions whose impact was assessed (27.6)", shown(body.learning.impact_assessed)),
            ]
            look_back = []
            if body.look_back is not None:
                lb = body.look_back
                look_back = [
                    (
                        f"Deaths in {lb.year.previous().label} first reviewed in {lb.year.label} "
                        "(27.7)",
                        shown(lb.reviewed_in_year),
                    ),
                    (
                        "Of those, first judged more likely than not due to problems in care "
                        "(27.8)",
                        shown(lb.judged_in_year),
                    ),
                    ("Last year's estimate (27.3 as reported)", shown(lb.previous_estimate)),
                    ("Revised estimate for last year (27.9)", shown(lb.revised_estimate)),
                ]
            self.add(
                own_page(p),
                "dashboard.html",
                p.title,
                "dashboards",
                [body],
                breadcrumbs=crumbs,
                publication=p,
                body=body,
                blocks=blocks,
                learning=learning,
                look_back=look_back,
            )

    # -- measures ----------------------------------------------------------------------------

    def measures(self) -> None:
        latest: dict[str, tuple[Publication, MeasureChartBody]] = {}
        for p, body in self.charts:
            latest.setdefault(body.measure, (p, body))
        views = [self.chart_view(*held) for _, held in sorted(latest.items())]
        others = [(own_page(p), p.title) for p, _ in self.charts]
        self.add(
            "measures.html",
            "measures.html",
            "Measures",
            "measures",
            [v.body for v in views],
            charts=views,
            others=others,
            publication=None,
            intro="Each measure on a run chart or an XmR chart (Making Data Count), the "
            "latest period of each, with the figures beneath its chart.",
        )
        crumbs = [("index.html", "Overview"), ("measures.html", "Measures")]
        for p, body in self.charts:
            view = self.chart_view(p, body)
            self.add(
                own_page(p),
                "measures.html",
                p.title,
                "measures",
                [view.body],
                breadcrumbs=crumbs,
                charts=[view],
                others=[],
                publication=p,
                intro="",
            )

    # -- assurance ---------------------------------------------------------------------------

    def assurance_pages(self) -> None:
        listed = [(own_page(p), p.title) for p, _ in self.assurance]
        self.add(
            "assurance/index.html",
            "dashboards.html",
            "Assurance",
            "assurance",
            dashboards=listed,
            intro="Duty of Candour compliance and overdue actions on learning, per trust.",
            empty="No assurance publication has been published to this site yet.",
        )
        crumbs = [("index.html", "Overview"), ("assurance/index.html", "Assurance")]
        for p, body in self.assurance:

            def name(trust: object) -> str:
                return (
                    "Every trust" if trust is None else self.trust_names.get(str(trust), str(trust))
                )

            def candour(line: CandourLine) -> tuple[str | Markup, ...]:
                return (
                    name(line.trust),
                    shown(line.due),
                    shown(line.met),
                    shown(line.late),
                    shown(line.overdue),
                    shown(line.pending),
                    shown(line.met_share),
                )

            def actions(line: ActionsLine) -> tuple[str | Markup, ...]:
                return (
                    name(line.trust),
                    shown(line.open),
                    shown(line.overdue),
                    shown(line.overdue_share),
                )

            self.add(
                own_page(p),
                "assurance.html",
                p.title,
                "assurance",
                [body],
                breadcrumbs=crumbs,
                publication=p,
                body=body,
                candour=[candour(line) for line in (*body.candour, body.candour_overall)],
                actions=[actions(line) for line in (*body.actions, body.actions_overall)],
            )

    def others(self) -> None:
        known = (
            HeadlineTargetsBody,
            LfdDashboardBody,
            LearningBulletinBody,
            MeasureChartBody,
            AssuranceBody,
        )
        for p in self.publications:
            if isinstance(p.body, known):
                continue
            data = to_payload(p.body) if not isinstance(p.body, Mapping) else dict(p.body)
            content = orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
            self.add(
                own_page(p),
                "other.html",
                p.title,
                "overview",
                breadcrumbs=[("index.html", "Overview")],
                publication=p,
                content=content.decode(),
            )


def _fraction(value: Any) -> Any:
    from fractions import Fraction  # noqa: PLC0415 - only for a float progress

    return value if isinstance(value, Fraction) else Fraction(value).limit_denominator(10_000)


def site_pages(
    publications: Sequence[Publication], site_title: str, drawn: Draw = draw
) -> list[Page]:
    """Every page of a site holding ``publications``, in path order."""
    site = _Site(publications, drawn)
    site.overview("index.html", site.headlines[0] if site.headlines else None, site_title)
    for held in site.headlines:
        site.overview(own_page(held[0]), held, held[0].title)
    site.trusts()
    site.learning()
    site.dashboard_pages()
    site.measures()
    site.assurance_pages()
    site.others()
    return sorted(site.pages, key=lambda page: page.path)
