"""Drawing the measures with matplotlib (the Agg backend, no display) in NHS England's Making
Data Count look: grey common cause points, blue improvement, orange concern, purple neither,
dashed grey limits, and the variation and assurance icons.

matplotlib is the optional extra ``collab-core[charts]``; without it every function raises
:class:`collab_core.ConfigurationError`. The calculations live in
:mod:`collab_core.domain.measures`; nothing here computes a limit.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from collab_core.domain.errors import ConfigurationError, DomainValidationError
from collab_core.domain.measures import (
    AssuranceIcon,
    AttributeResult,
    FunnelResult,
    FunnelSignificance,
    ImprovementDirection,
    PointLabel,
    RunChartResult,
    VariationIcon,
    XmrResult,
    funnel_axis,
    funnel_limits,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "COLOURS",
    "render",
    "render_attribute",
    "render_funnel",
    "render_run_chart",
    "render_series",
    "render_xmr",
    "short_group_subtitle",
]

COLOURS = {
    "common_cause": "#a6a6a6",
    "improvement": "#00b0f0",
    "concern": "#e46c0a",
    "neither": "#490092",
    "value_line": "#a6a6a6",
    "centre_line": "#000000",
    "limit": "#a6a6a6",
    "target": "#de1b1b",
}
"""The colours, as NHSRplotthedots' ``ptd_spc_colours()`` (Making Data Count)."""

_LABEL_COLOUR = {
    PointLabel.COMMON_CAUSE: COLOURS["common_cause"],
    PointLabel.SPECIAL_CAUSE_IMPROVEMENT: COLOURS["improvement"],
    PointLabel.SPECIAL_CAUSE_CONCERN: COLOURS["concern"],
    PointLabel.SPECIAL_CAUSE_NEITHER: COLOURS["neither"],
}
_FORMATS = ("svg", "png")


def _matplotlib() -> Any:
    try:
        import matplotlib  # noqa: PLC0415 - an optional extra, imported when first needed
    except ImportError as exc:  # pragma: no cover - exercised by monkeypatching sys.modules
        raise ConfigurationError(
            "drawing charts needs matplotlib: install the extra with "
            "`pip install 'collab-core[charts]'`"
        ) from exc
    return matplotlib


def _target(path_or_format: str | Path) -> tuple[str, Path | None]:
    if isinstance(path_or_format, str) and path_or_format.lower() in _FORMATS:
        return path_or_format.lower(), None
    path = Path(path_or_format)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in _FORMATS:
        raise DomainValidationError(
            "path_or_format", "must be 'svg', 'png' or a path ending .svg or .png", str(path)
        )
    return fmt, path


def _figure() -> Figure:
    _matplotlib()
    from matplotlib.figure import Figure  # noqa: PLC0415 - after the import check

    return Figure(figsize=(9, 4.5), dpi=100, layout="constrained")


def _save(fig: Figure, path_or_format: str | Path) -> bytes:
    fmt, path = _target(path_or_format)
    matplotlib = _matplotlib()
    buffer = io.BytesIO()
    # text stays text in SVG (searchable, accessible); no timestamp, so output is repeatable
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "collab_core"}):
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buffer, format=fmt, metadata=metadata)
    data = buffer.getvalue()
    if path is not None:
        path.write_bytes(data)
    return data


def _x_axis(ax: Axes, xs: Sequence[object]) -> None:
    step = max(1, len(xs) // 12)
    ticks = list(range(0, len(xs), step))
    ax.set_xticks(ticks, [str(xs[i]) for i in ticks], rotation=45, ha="right", fontsize=8)
    ax.set_xlim(-0.5, max(len(xs), 1) - 0.5)  # an empty chart keeps an axis one point wide


def _style(ax: Axes, title: str | None, ylabel: str | None, subtitle: str = "") -> None:
    if title:
        ax.set_title(title, loc="left", fontsize=11, pad=20 if subtitle else 6)
    if subtitle:
        text = ax.text(
            0,
            1.01,
            subtitle,
            transform=ax.transAxes,
            ha="left",
            va="bottom",
            fontsize=8,
            color="#425563",
            wrap=True,
        )
        text.set_gid("short-group-warning")
    if ylabel:
        ax.set_ylabel(ylabel)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def short_group_subtitle(result: XmrResult | AttributeResult) -> str:
    """The subtitle of a chart with trial limits (an empty string when it has none): which
    phases have fewer values than ``result.options.short_group_threshold``, in the sense of
    NHSRplotthedots' caption for groups of too few points."""
    flags = [phase.short_group for phase in result.phases]
    short = [k + 1 for k, flag in enumerate(flags) if flag]
    if not short:
        return ""
    threshold = result.options.short_group_threshold
    if len(flags) == 1:
        return (
            f"Trial limits: fewer than {threshold} values; "
            "the limits will change as values are added."
        )
    names = ", ".join(str(k) for k in short[:-1]) + (" and " if len(short) > 1 else "")
    which = f"phases {names}{short[-1]} have" if len(short) > 1 else f"phase {short[0]} has"
    return (
        f"Trial limits: {which} fewer than {threshold} values; "
        "their limits will change as values are added."
    )


def _points(ax: Axes, values: Sequence[float | None], labels: Sequence[PointLabel | None]) -> None:
    xs = [i for i, v in enumerate(values) if v is not None]
    ys = [float(v) for v in values if v is not None]
    line = ax.plot(xs, ys, color=COLOURS["value_line"], linewidth=1.5, zorder=1)[0]
    line.set_gid("value-line")
    colours = [_LABEL_COLOUR[lab] for lab in labels if lab is not None]
    dots = ax.scatter(xs, ys, c=colours, s=28, zorder=3, edgecolors="none")
    dots.set_gid("points")


def _hline(
    ax: Axes, start: int, end: int, y: float, *, kind: str, gid: str, dashed: bool = False
) -> None:
    line = ax.plot(
        [start - 0.5, end - 0.5],
        [y, y],
        color=COLOURS[kind],
        linestyle="--" if dashed else "-",
        linewidth=1.2,
        zorder=2,
    )[0]
    line.set_gid(gid)


def _icon_circle(
    fig: Figure, x: float, colour: str, letter: str, gid: str, *, mark: str | None = None
) -> None:
    from matplotlib.patches import Circle  # noqa: PLC0415 - matplotlib is optional

    ax = fig.add_axes((x, 0.78, 0.065, 0.13))
    ax.set_gid(gid)
    ax.set_aspect("equal")
    ax.set_xlim(-1.1, 1.1)
    ax.set_ylim(-1.1, 1.1)
    ax.axis("off")
    ax.add_patch(Circle((0, 0), 1.0, facecolor="white", edgecolor=colour, linewidth=3))
    if mark == "flat":
        ax.plot([-0.6, 0.6], [0, 0], color=colour, linewidth=3)
    ax.text(0, 0, letter, ha="center", va="center", color=colour, fontsize=16, weight="bold")


_VARIATION = {
    VariationIcon.COMMON_CAUSE: (COLOURS["common_cause"], ""),
    VariationIcon.IMPROVEMENT_HIGH: (COLOURS["improvement"], "H"),
    VariationIcon.IMPROVEMENT_LOW: (COLOURS["improvement"], "L"),
    VariationIcon.CONCERN_HIGH: (COLOURS["concern"], "H"),
    VariationIcon.CONCERN_LOW: (COLOURS["concern"], "L"),
    VariationIcon.NEITHER_HIGH: (COLOURS["neither"], "H"),
    VariationIcon.NEITHER_LOW: (COLOURS["neither"], "L"),
}
_ASSURANCE = {
    AssuranceIcon.PASS: (COLOURS["improvement"], "P"),
    AssuranceIcon.FAIL: (COLOURS["concern"], "F"),
    AssuranceIcon.HIT_AND_MISS: (COLOURS["common_cause"], "?"),
}


def _icons(fig: Figure, variation: VariationIcon, assurance: AssuranceIcon | None) -> None:
    # keep a margin on the right for the icons, clear of the data
    fig.get_layout_engine().set(rect=(0, 0, 0.85, 1))  # type: ignore[union-attr, call-arg]
    colour, letter = _VARIATION[variation]
    _icon_circle(
        fig,
        0.855,
        colour,
        letter,
        f"variation-icon-{variation.value}",
        mark="flat" if variation is VariationIcon.COMMON_CAUSE else None,
    )
    if assurance is not None:
        colour, letter = _ASSURANCE[assurance]
        _icon_circle(fig, 0.925, colour, letter, f"assurance-icon-{assurance.value}")


def render_xmr(
    result: XmrResult,
    path_or_format: str | Path = "svg",
    *,
    title: str | None = None,
    ylabel: str | None = None,
) -> bytes:
    """Draw an XmR chart; returns the image, and writes it when given a path.

    A chart with a short phase (``result.warnings``) carries the warning as its subtitle.

    :param path_or_format: ``"svg"``, ``"png"``, or a path ending ``.svg`` or ``.png``.
    """
    if not isinstance(result, XmrResult):
        raise DomainValidationError("result", "must be an XmrResult", type(result).__name__)
    fig = _figure()
    ax = fig.add_subplot()
    values = [None if p.value is None else float(p.value) for p in result.points]
    for phase in result.phases:
        _hline(ax, phase.start, phase.end, float(phase.mean), kind="centre_line", gid="mean")
        for y, gid in ((phase.lower_limit, "lower-limit"), (phase.upper_limit, "upper-limit")):
            _hline(ax, phase.start, phase.end, float(y), kind="limit", gid=gid, dashed=True)
    if result.target is not None:
        _hline(ax, 0, len(values), float(result.target), kind="target", gid="target", dashed=True)
    _points(ax, values, [p.label for p in result.points])
    _x_axis(ax, [p.x for p in result.points])
    _style(ax, title, ylabel, short_group_subtitle(result))
    _icons(fig, result.variation, result.assurance)
    return _save(fig, path_or_format)


def render_run_chart(
    result: RunChartResult,
    path_or_format: str | Path = "svg",
    *,
    title: str | None = None,
    ylabel: str | None = None,
) -> bytes:
    """Draw a run chart with its median; points in an IHI shift or trend are coloured."""
    if not isinstance(result, RunChartResult):
        raise DomainValidationError("result", "must be a RunChartResult", type(result).__name__)
    fig = _figure()
    ax = fig.add_subplot()
    values = [None if p.value is None else float(p.value) for p in result.points]
    median = float(result.median)
    _hline(ax, 0, len(values), median, kind="centre_line", gid="median")
    _points(ax, values, [p.label for p in result.points])
    _x_axis(ax, [p.x for p in result.points])
    _style(ax, title, ylabel)
    return _save(fig, path_or_format)


def render_attribute(
    result: AttributeResult,
    path_or_format: str | Path = "svg",
    *,
    title: str | None = None,
    ylabel: str | None = None,
) -> bytes:
    """Draw a p, u, p′ or u′ chart, its limits stepping with each point's denominator; a
    short phase's warning is the subtitle, as for :func:`render_xmr`."""
    if not isinstance(result, AttributeResult):
        raise DomainValidationError("result", "must be an AttributeResult", type(result).__name__)
    fig = _figure()
    ax = fig.add_subplot()
    values = [None if p.value is None else float(p.value) for p in result.points]
    for phase in result.phases:
        _hline(ax, phase.start, phase.end, float(phase.centre), kind="centre_line", gid="centre")
        for attr, gid in (("lower_limit", "lower-limit"), ("upper_limit", "upper-limit")):
            xs = [i for i in range(phase.start, phase.end) if values[i] is not None]
            ys = [getattr(result.points[i], attr) for i in xs]
            line = ax.step(
                xs, ys, where="mid", color=COLOURS["limit"], linestyle="--", linewidth=1.2
            )[0]
            line.set_gid(gid)
    if result.target is not None:
        _hline(ax, 0, len(values), float(result.target), kind="target", gid="target", dashed=True)
    _points(ax, values, [p.label for p in result.points])
    _x_axis(ax, [p.x for p in result.points])
    _style(ax, title, ylabel, short_group_subtitle(result))
    _icons(fig, result.variation, result.assurance)
    return _save(fig, path_or_format)


def _runs(values: Sequence[float | None]) -> list[tuple[int, int, float]]:
    """``(start, end, y)`` for each run of consecutive equal values, skipping ``None``."""
    runs: list[tuple[int, int, float]] = []
    for i, y in enumerate(values):
        if y is None:
            continue
        if runs and runs[-1][1] == i and runs[-1][2] == y:
            runs[-1] = (runs[-1][0], i + 1, y)
        else:
            runs.append((i, i + 1, y))
    return runs


def render_series(
    xs: Sequence[str],
    values: Sequence[float | None],
    labels: Sequence[PointLabel | None],
    centre: Sequence[float | None],
    path_or_format: str | Path = "svg",
    *,
    lower: Sequence[float | None] | None = None,
    upper: Sequence[float | None] | None = None,
    target: float | None = None,
    variation: VariationIcon | None = None,
    assurance: AssuranceIcon | None = None,
    title: str | None = None,
    ylabel: str | None = None,
) -> bytes:
    """Draw a chart from its figures alone, point by point, as a publication carries them (a
    value, its label, and the centre line and limits at it). A ``None`` value leaves a gap; a
    ``None`` centre or limit draws no line there. A centre or limit that changes between
    points starts a new segment, as a new phase does on :func:`render_xmr`.
    """
    n = len(xs)
    for name, seq in (("values", values), ("labels", labels), ("centre", centre)):
        if len(seq) != n:
            raise DomainValidationError(name, f"must have one entry per x ({n})", len(seq))
    for name, limit in (("lower", lower), ("upper", upper)):
        if limit is not None and len(limit) != n:
            raise DomainValidationError(name, f"must have one entry per x ({n})", len(limit))
    fig = _figure()
    ax = fig.add_subplot()
    for start, end, y in _runs(centre):
        _hline(ax, start, end, y, kind="centre_line", gid="centre")
    for limit, gid in ((lower, "lower-limit"), (upper, "upper-limit")):
        for start, end, y in _runs(limit or ()):
            _hline(ax, start, end, y, kind="limit", gid=gid, dashed=True)
    if target is not None:
        _hline(ax, 0, n, float(target), kind="target", gid="target", dashed=True)
    shown = [(v, lab or PointLabel.COMMON_CAUSE) for v, lab in zip(values, labels, strict=True)]
    _points(ax, [v for v, _ in shown], [lab for v, lab in shown if v is not None])
    _x_axis(ax, list(xs))
    _style(ax, title, ylabel)
    if variation is not None:
        _icons(fig, variation, assurance)
    return _save(fig, path_or_format)


_FUNNEL_COLOUR = {
    FunnelSignificance.NOT_SIGNIFICANT: COLOURS["common_cause"],
    FunnelSignificance.HIGH_0_025: COLOURS["neither"],
    FunnelSignificance.HIGH_0_001: COLOURS["neither"],
    FunnelSignificance.LOW_0_025: COLOURS["neither"],
    FunnelSignificance.LOW_0_001: COLOURS["neither"],
}


def render_funnel(
    result: FunnelResult,
    path_or_format: str | Path = "svg",
    *,
    title: str | None = None,
    improvement: ImprovementDirection = ImprovementDirection.NEUTRAL,
    multiplier: float = 100,
    label_units: bool = True,
) -> bytes:
    """Draw a funnel plot: each unit against its denominator, with 95% (dashed) and 99.8%
    (solid) limits. Units beyond a limit are purple, or blue/orange when ``improvement``
    says which way is better; ``multiplier`` 100 shows percentages."""
    if not isinstance(result, FunnelResult):
        raise DomainValidationError("result", "must be a FunnelResult", type(result).__name__)
    fig = _figure()
    ax = fig.add_subplot()
    axis = funnel_axis(result.min_denominator, result.max_denominator)
    curves = [funnel_limits(result.average, n) for n in axis]
    for attr, style in (
        ("lower_95", "--"),
        ("upper_95", "--"),
        ("lower_998", "-"),
        ("upper_998", "-"),
    ):
        line = ax.plot(
            axis,
            [getattr(c, attr) * multiplier for c in curves],
            color=COLOURS["limit"],
            linestyle=style,
            linewidth=1.2,
        )[0]
        line.set_gid(f"funnel-{attr.replace('_', '-')}")
    ax.axhline(float(result.average) * multiplier, color=COLOURS["centre_line"], linewidth=1.2)
    colours = []
    for unit in result.units:
        colour = _FUNNEL_COLOUR[unit.significance]
        if improvement is not ImprovementDirection.NEUTRAL and colour != COLOURS["common_cause"]:
            is_high = unit.significance.value.startswith("High")
            good = is_high == (improvement is ImprovementDirection.INCREASE)
            colour = COLOURS["improvement"] if good else COLOURS["concern"]
        colours.append(colour)
    xs = [float(u.denominator) for u in result.units]
    ys = [float(u.proportion) * multiplier for u in result.units]
    dots = ax.scatter(xs, ys, c=colours, s=30, zorder=3, edgecolors="none")
    dots.set_gid("units")
    # frame the units and the wider part of the funnel, not its tip at a denominator of 1
    mouth = curves[len(curves) // 4 :]
    low = min(*ys, min(c.lower_998 for c in mouth) * multiplier)
    high = max(*ys, max(c.upper_998 for c in mouth) * multiplier)
    pad = (high - low) * 0.1 or 1.0
    ax.set_ylim(low - pad, high + pad)
    if label_units and len(result.units) <= 30:
        for unit, x, y in zip(result.units, xs, ys, strict=True):
            if unit.significance is not FunnelSignificance.NOT_SIGNIFICANT:
                ax.annotate(
                    unit.name, (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points"
                )
    ax.set_xlabel("Denominator")
    _style(ax, title, None)
    return _save(fig, path_or_format)


def render(
    result: XmrResult | RunChartResult | AttributeResult | FunnelResult,
    path_or_format: str | Path = "svg",
    *,
    title: str | None = None,
) -> bytes:
    """Draw any measure's result with the matching ``render_*`` function."""
    if isinstance(result, XmrResult):
        return render_xmr(result, path_or_format, title=title)
    if isinstance(result, RunChartResult):
        return render_run_chart(result, path_or_format, title=title)
    if isinstance(result, AttributeResult):
        return render_attribute(result, path_or_format, title=title)
    if isinstance(result, FunnelResult):
        return render_funnel(result, path_or_format, title=title)
    raise DomainValidationError("result", "must be a measure's result", type(result).__name__)
