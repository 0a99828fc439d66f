"""Run charts: the median, Anhøj's rules (long runs, few crossings) and the IHI rules (shift,
trend, too few or too many runs), all in exact integer or Fraction arithmetic.

Sources: Anhøj & Olesen, PLoS ONE 2014;9(11):e113825 and qicharts2 (anhoej/qicharts2,
``runs.analysis``); Perla, Provost & Murray, BMJ Qual Saf 2011;20:46-51 (the IHI rules);
Swed & Eisenhart, Ann Math Stat 1943;14:66-87 (the distribution of the number of runs).
"""

from __future__ import annotations

import enum
import statistics
from collections.abc import Sequence
from fractions import Fraction
from math import comb

import attrs

from collab_core.domain._rules import is_type
from collab_core.domain.errors import DomainValidationError
from collab_core.domain.measures._numbers import (
    Number,
    Quantity,
    XValue,
    check_int,
    coerce_values,
    coerce_x,
    present,
    present_opt,
)
from collab_core.domain.measures.labels import (
    ImprovementDirection,
    PointLabel,
    Side,
    label_for,
)
from collab_core.domain.measures.patterns import PointSpan, TrendTies, shift_spans, trend_spans

__all__ = [
    "IHI_RUNS_TABLE",
    "AnhojAnalysis",
    "IhiAnalysis",
    "IhiOptions",
    "PointSpan",
    "RunChartPoint",
    "RunChartResult",
    "RunsReference",
    "TrendTies",
    "anhoej_analysis",
    "crossings_lower_limit",
    "longest_run_upper_limit",
    "run_chart",
    "runs_limits",
    "sides_about",
]


def longest_run_upper_limit(n_useful: int) -> int:
    """Anhøj's upper limit for the longest run, ``round(log2(n)) + 3`` (Schilling 2012).

    A longest run *longer* than this signals a shift. Computed in integers: ``round(log2(n))``
    is ``k`` exactly when ``2**(2k-1) <= n**2 < 2**(2k+1)``. ``log2(n)`` is never a half
    integer for a whole ``n``, so Python's round-half-to-even and R's IEC 60559 rounding
    (also half to even) cannot differ here.
    """
    check_int("n_useful", n_useful, 1)
    return ((2 * n_useful * n_useful).bit_length() - 1) // 2 + 3


def crossings_lower_limit(n_useful: int, tail: Fraction = Fraction(1, 20)) -> int:
    """Anhøj's lower limit for crossings: ``qbinom(0.05, n - 1, 0.5)`` (Chen 2010).

    The smallest ``k`` with ``P(X <= k) >= tail`` for ``X ~ Binomial(n - 1, 1/2)``, found with
    integer arithmetic: ``sum(C(m, i) for i <= k) * tail.denominator >= tail.numerator * 2**m``.
    Fewer crossings than this signals a shift.
    """
    check_int("n_useful", n_useful, 1)
    if not 0 < tail < 1:
        raise DomainValidationError("tail", "must be a probability between 0 and 1", tail)
    m = n_useful - 1
    target = tail.numerator * (1 << m)
    cumulative = 0
    for k in range(m + 1):
        cumulative += comb(m, k)
        if cumulative * tail.denominator >= target:
            return k
    return m  # pragma: no cover - the loop always returns by k = m


def sides_about(
    values: Sequence[Fraction | None], centre: Sequence[Quantity | None]
) -> tuple[int | None, ...]:
    """Each value's side of its centre line: +1 above, -1 below, 0 on it, None when missing."""
    out: list[int | None] = []
    for v, c in zip(values, centre, strict=True):
        if v is None or c is None:
            out.append(None)
        else:
            out.append((v > c) - (v < c))
    return tuple(out)


def _run_lengths(sides: Sequence[int]) -> list[int]:
    lengths: list[int] = []
    previous = 0
    for s in sides:
        if s == previous:
            lengths[-1] += 1
        else:
            lengths.append(1)
            previous = s
    return lengths


@attrs.frozen
class AnhojAnalysis:
    """Anhøj's two runs tests over the useful observations (those not on the centre line).

    ``long_run`` is true when ``longest_run > longest_run_max``; ``few_crossings`` when
    ``crossings < crossings_min``; ``signal`` when either is. With no useful observation the
    counts are 0 and nothing signals (qicharts2 reports NA there).
    """

    n_observations: int
    n_useful: int
    runs: int
    longest_run: int
    longest_run_max: int | None
    crossings: int
    crossings_min: int | None
    long_run: bool
    few_crossings: bool

    @property
    def signal(self) -> bool:
        return self.long_run or self.few_crossings


def anhoej_analysis(sides: Sequence[int | None]) -> AnhojAnalysis:
    """Anhøj's rules over a sequence of sides (+1/-1/0, None for a missing value).

    Points on the centre line (0) neither break nor add to a run and are not useful
    observations; missing values are left out. Crossings are ``runs - 1``.
    """
    observed = [s for s in sides if s is not None]
    useful = [s for s in observed if s != 0]
    n = len(useful)
    if n == 0:
        return AnhojAnalysis(len(observed), 0, 0, 0, None, 0, None, False, False)
    lengths = _run_lengths(useful)
    longest, limit = max(lengths), longest_run_upper_limit(n)
    crossings, minimum = len(lengths) - 1, crossings_lower_limit(n)
    return AnhojAnalysis(
        n_observations=len(observed),
        n_useful=n,
        runs=len(lengths),
        longest_run=longest,
        longest_run_max=limit,
        crossings=crossings,
        crossings_min=minimum,
        long_run=longest > limit,
        few_crossings=crossings < minimum,
    )


class RunsReference(enum.Enum):
    """Where the IHI too-few / too-many runs limits come from.

    ``OBSERVED`` (the default) computes them exactly from the Swed–Eisenhart distribution for
    the numbers actually above and below the median, each tail at most ``alpha / 2``: the same
    risk for every chart, and defined for any number of points. ``BALANCED`` computes them the
    same way for the useful observations split as evenly as possible. ``IHI_TABLE`` looks them
    up in the table IHI teams use, :data:`IHI_RUNS_TABLE` (Perla, Provost & Murray 2011, Table
    1), for the 10 to 40 useful observations it covers, and computes them as ``OBSERVED``
    outside that range. The published table is one run wider or narrower than the exact limits
    at some totals (20 useful observations: 6 and 16 against 7 and 15) and keeps no constant
    risk, which is why it is an option and not the default.
    """

    OBSERVED = "observed"
    BALANCED = "balanced"
    IHI_TABLE = "ihi_table"


IHI_RUNS_TABLE: dict[int, tuple[int, int]] = {
    10: (3, 9),
    11: (3, 10),
    12: (3, 11),
    13: (4, 11),
    14: (4, 12),
    15: (5, 12),
    16: (5, 13),
    17: (5, 13),
    18: (6, 14),
    19: (6, 15),
    20: (6, 16),
    21: (7, 16),
    22: (7, 17),
    23: (7, 17),
    24: (8, 18),
    25: (8, 18),
    26: (9, 19),
    27: (9, 20),
    28: (10, 20),
    29: (10, 21),
    30: (11, 22),
    31: (11, 22),
    32: (11, 23),
    33: (11, 24),
    34: (12, 24),
    35: (12, 25),
    36: (13, 25),
    37: (13, 26),
    38: (14, 26),
    39: (14, 27),
    40: (15, 27),
}
"""The IHI runs table: for each number of useful observations (those not on the median), the
lower and upper limit for the number of runs; fewer runs than the lower limit are too few,
more than the upper limit too many.

Source: Perla RJ, Provost LP, Murray SK. The run chart: a simple analytical tool for learning
from variation in healthcare processes. BMJ Qual Saf 2011;20:46-51, Table 1, which is taken
from Swed FS, Eisenhart C. Tables for testing randomness of grouping in a sequence of
alternatives. Ann Math Stat 1943;14:66-87. The rows for 10 to 40 useful observations are
held here."""


def _runs_count_ways(n1: int, n2: int, r: int) -> int:
    """How many arrangements of n1 above and n2 below give exactly r runs (Swed–Eisenhart)."""
    if n1 == 0 or n2 == 0:
        return 1 if r == 1 else 0
    if r < 2:
        return 0
    if r % 2 == 0:
        k = r // 2
        return 2 * comb(n1 - 1, k - 1) * comb(n2 - 1, k - 1)
    k = (r - 1) // 2
    return comb(n1 - 1, k) * comb(n2 - 1, k - 1) + comb(n1 - 1, k - 1) * comb(n2 - 1, k)


def runs_limits(n1: int, n2: int, alpha: Fraction = Fraction(1, 20)) -> tuple[int, int]:
    """The IHI limits for the number of runs with ``n1`` above and ``n2`` below the median.

    Returns ``(lower, upper)``: fewer runs than ``lower`` or more than ``upper`` signals. Each
    tail holds at most ``alpha / 2`` of the exact distribution of the number of runs under
    random order (Swed & Eisenhart 1943), computed with integers.
    """
    check_int("n1", n1, 0)
    check_int("n2", n2, 0)
    total = comb(n1 + n2, n1)
    half = alpha / 2
    top = 1 if min(n1, n2) == 0 else 2 * min(n1, n2) + (n1 != n2)
    ways = [_runs_count_ways(n1, n2, r) for r in range(top + 1)]
    lower, cumulative = 1, 0
    for r in range(1, top + 1):
        cumulative += ways[r]
        # fewer runs than `lower` is a signal when P(R <= lower - 1) <= alpha/2
        if cumulative * half.denominator > half.numerator * total:
            lower = r
            break
    upper, cumulative = top, 0
    for r in range(top, 0, -1):
        cumulative += ways[r]
        if cumulative * half.denominator > half.numerator * total:
            upper = r
            break
    return lower, upper


@attrs.frozen
class IhiOptions:
    """The IHI run chart rules' settings (Perla, Provost & Murray 2011).

    :param shift_length: points in a row on one side of the median that make a shift (6).
    :param trend_length: points in a row all going up or all going down that make a trend (5).
    :param trend_ties: what an equal neighbour does to a trend (ignored, by default).
    :param runs_reference: where the runs limits come from (computed exactly for the observed
        counts by default; :attr:`RunsReference.IHI_TABLE` for the published table).
    :param alpha: the two-sided risk of the computed runs test (0.05; the table's is fixed).
    """

    shift_length: int = attrs.field(default=6, validator=is_type(int))
    trend_length: int = attrs.field(default=5, validator=is_type(int))
    trend_ties: TrendTies = attrs.field(default=TrendTies.IGNORE, validator=is_type(TrendTies))
    runs_reference: RunsReference = attrs.field(
        default=RunsReference.OBSERVED, validator=is_type(RunsReference)
    )
    alpha: Fraction = attrs.field(default=Fraction(1, 20), validator=is_type(Fraction))

    def __attrs_post_init__(self) -> None:
        if self.shift_length < 2:
            raise DomainValidationError("shift_length", "must be at least 2", self.shift_length)
        if self.trend_length < 3:
            raise DomainValidationError("trend_length", "must be at least 3", self.trend_length)
        if not 0 < self.alpha < 1:
            raise DomainValidationError("alpha", "must be between 0 and 1", self.alpha)


@attrs.frozen
class IhiAnalysis:
    """The IHI rules: shifts, trends, and too few or too many runs about the median.

    ``runs_lower``/``runs_upper`` are ``None`` when every useful point is on one side.
    The fourth IHI rule (an "astronomical" point) is a visual judgement and is not computed.
    """

    shifts: tuple[PointSpan, ...]
    trends: tuple[PointSpan, ...]
    n_useful: int
    runs: int
    runs_lower: int | None
    runs_upper: int | None
    too_few_runs: bool
    too_many_runs: bool

    @property
    def signal(self) -> bool:
        return bool(self.shifts or self.trends or self.too_few_runs or self.too_many_runs)


def ihi_analysis(
    values: Sequence[Fraction | None], sides: Sequence[int | None], options: IhiOptions
) -> IhiAnalysis:
    """The IHI rules over values and their sides of the median."""
    useful = [s for s in sides if s]
    above, below = useful.count(1), useful.count(-1)
    runs = len(_run_lengths(useful)) if useful else 0
    if options.runs_reference is RunsReference.BALANCED:
        above, below = len(useful) // 2, len(useful) - len(useful) // 2
    lower: int | None
    upper: int | None
    if options.runs_reference is RunsReference.IHI_TABLE and len(useful) in IHI_RUNS_TABLE:
        lower, upper = IHI_RUNS_TABLE[len(useful)]
    elif above and below:
        lower, upper = runs_limits(above, below, options.alpha)
    else:
        lower = upper = None
    return IhiAnalysis(
        shifts=shift_spans(sides, options.shift_length, on_line_breaks=False),
        trends=trend_spans(values, options.trend_length, ties=options.trend_ties),
        n_useful=len(useful),
        runs=runs,
        runs_lower=lower,
        runs_upper=upper,
        too_few_runs=lower is not None and runs < lower,
        too_many_runs=upper is not None and runs > upper,
    )


@attrs.frozen
class RunChartPoint:
    """One point of a run chart.

    ``side`` is the side of the median (None on it or when missing); ``shift``/``trend`` say
    whether the point is part of an IHI shift or trend (a point on the median inside a shift's
    stretch is not part of the shift: it neither counts towards nor breaks it); ``label`` is
    improvement, concern or
    neither for a point in a shift or trend (by the shift's side, else the trend's
    direction), common cause otherwise, and None for a missing value.
    """

    x: XValue
    value: Quantity | None
    side: Side | None
    shift: bool
    trend: bool
    label: PointLabel | None
    label_side: Side | None


@attrs.frozen
class RunChartResult:
    """A run chart: its median, points and both sets of rules.

    ``baseline`` is how many leading values the median was taken from (all by default).
    """

    points: tuple[RunChartPoint, ...]
    median: Quantity
    baseline: int
    improvement: ImprovementDirection
    anhoej: AnhojAnalysis
    ihi: IhiAnalysis

    @property
    def signal(self) -> bool:
        """True when Anhøj's rules find non-random variation (qicharts2's ``runs.signal``)."""
        return self.anhoej.signal


def run_chart(
    values: Sequence[Number | None],
    *,
    x: Sequence[XValue] | None = None,
    improvement: ImprovementDirection = ImprovementDirection.INCREASE,
    baseline: int | None = None,
    ihi: IhiOptions | None = None,
) -> RunChartResult:
    """A run chart about the median of ``values`` (or of the first ``baseline`` values).

    Missing values (``None``) keep their x position, are left out of the median and of every
    rule, and neither break nor count in a run, shift or trend.
    """
    ihi = IhiOptions() if ihi is None else ihi
    if not isinstance(ihi, IhiOptions):
        raise DomainValidationError("ihi", "must be IhiOptions", type(ihi).__name__)
    if not isinstance(improvement, ImprovementDirection):
        raise DomainValidationError("improvement", "must be an ImprovementDirection", improvement)
    vals, exact = coerce_values(values, "values")
    xs = coerce_x(x, len(vals))
    known = [v for v in vals if v is not None]
    if len(known) < 2:
        raise DomainValidationError("values", "a run chart needs at least 2 values", len(known))
    if baseline is not None:
        check_int("baseline", baseline)
        if baseline < 2 or baseline > len(vals):
            raise DomainValidationError(
                "baseline", f"must be from 2 to the number of values ({len(vals)})", baseline
            )
        base = [v for v in vals[:baseline] if v is not None]
        if len(base) < 2:
            raise DomainValidationError("baseline", "must hold at least 2 values", baseline)
    else:
        base = known
    median = Fraction(statistics.median(base))
    sides = sides_about(vals, [median] * len(vals))
    anhoej = anhoej_analysis(sides)
    analysis = ihi_analysis(vals, sides, ihi)
    in_shift: dict[int, Side] = {}
    for span in analysis.shifts:
        # a point on the median neither counts towards nor breaks a shift (Perla et al. 2011,
        # rule 1), so it is not part of one either
        in_shift.update({k: span.side for k in range(span.start, span.end + 1) if sides[k]})
    in_trend: dict[int, Side] = {}
    for span in analysis.trends:
        in_trend.update(dict.fromkeys(range(span.start, span.end + 1), span.side))
    points = []
    for i, (xi, v, s) in enumerate(zip(xs, vals, sides, strict=True)):
        flagged = in_shift.get(i) or in_trend.get(i)
        label: PointLabel | None
        if v is None:
            label, label_side = None, None
        elif flagged is None:
            label, label_side = PointLabel.COMMON_CAUSE, None
        else:
            label, label_side = label_for(improvement, flagged), flagged
        points.append(
            RunChartPoint(
                x=xi,
                value=present_opt(v, exact),
                side=None if not s else (Side.HIGH if s > 0 else Side.LOW),
                shift=i in in_shift,
                trend=i in in_trend,
                label=label,
                label_side=label_side,
            )
        )
    return RunChartResult(
        points=tuple(points),
        median=present(median, exact),
        baseline=len(vals) if baseline is None else baseline,
        improvement=improvement,
        anhoej=anhoej,
        ihi=analysis,
    )
