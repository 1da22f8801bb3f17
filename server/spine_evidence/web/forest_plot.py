"""The geometry of a forest plot: proportions as points with their 95% Wilson intervals, on a 0–100% axis.

:func:`forest_plot` lays out one outcome's proportions, grouped by arm (the
guidance modality), in SVG user units: one heading row per arm, then one row per
proportion, its label above its interval, so the axis spans the whole width and the
drawing stays readable when a phone scales it down. It computes
positions only; ``templates/evidence.html`` writes the SVG (escaped by Jinja),
so the page needs no script and no plotting library in the browser. The
drawing scales to its container through its ``viewBox``.

A point sits at events/total (the observed proportion, computed); its line
spans the Wilson interval (:func:`spine_evidence.intervals.wilson_interval`).
Coordinates are rounded to :data:`PLACES` decimals, so a reader can map a drawn
x back to a percentage through the axis (the ticks at 0% and 100%) to within
100 · 10^-PLACES / (axis width) percent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH = 360.0  # the viewBox width, in user units
AXIS_LEFT, AXIS_RIGHT = 18.0, 336.0  # x of 0% and 100% (room for the tick labels "0%" and "100%")
TOP = 8.0  # space above the first row
ROW = 42.0  # height of one proportion's row: its label, then its interval
LABEL_RISE = 15.0  # the label's baseline, above the interval's line
HEADING = 24.0  # height of an arm's heading row
AXIS_SPACE = 44.0  # the axis line, its tick labels and its title, below the rows
TICKS = (0, 25, 50, 75, 100)
PLACES = 2


@dataclass(frozen=True)
class PlottedProportion:
    """One proportion to draw: what identifies it, its counts, its interval (fractions) and its labels."""

    result: str
    events: int
    total: int
    lower: float
    upper: float
    label: str  # the text above the interval, e.g. "Ref 7 · 28/55 · lateral oblique view"
    title: str  # the point's <title>: study, arm, events/n, interval
    flagged: bool = False


@dataclass(frozen=True)
class ArmGroup:
    """The proportions of one arm (modality) of one outcome, in the order they are drawn."""

    label: str
    proportions: Sequence[PlottedProportion]


@dataclass(frozen=True)
class Point:
    """A drawn proportion: the y of its interval and of its label, and the x of the estimate and the interval's ends."""

    proportion: PlottedProportion
    y: float
    label_y: float
    x: float
    x_lower: float
    x_upper: float


@dataclass(frozen=True)
class Tick:
    """An axis tick: its percentage and x."""

    percent: int
    x: float


@dataclass(frozen=True)
class DrawnGroup:
    """An arm as drawn: its heading's text and baseline y, then its points."""

    label: str
    y: float
    points: list[Point]


@dataclass
class Plot:
    """A laid-out forest plot: size, axis and the drawn arm groups."""

    height: float
    axis_y: float
    ticks: list[Tick]
    groups: list[DrawnGroup] = field(default_factory=list)
    width: float = WIDTH
    axis_left: float = AXIS_LEFT
    axis_right: float = AXIS_RIGHT

    @property
    def points(self) -> list[Point]:
        """Every drawn point, top to bottom."""
        return [point for group in self.groups for point in group.points]

    @property
    def plot_top(self) -> float:
        """The y where the plotting area (the grid lines) begins."""
        return TOP / 2


def x_of(fraction: float) -> float:
    """The x of a proportion (a fraction in [0, 1]) on the axis, rounded to :data:`PLACES` decimals."""
    return round(AXIS_LEFT + fraction * (AXIS_RIGHT - AXIS_LEFT), PLACES)


def forest_plot(groups: Sequence[ArmGroup]) -> Plot:
    """Lay out ``groups`` top to bottom: each arm's heading, then one row per proportion."""
    y = TOP
    drawn: list[DrawnGroup] = []
    for group in groups:
        if not group.proportions:
            continue
        points: list[Point] = []
        drawn.append(DrawnGroup(group.label, y + HEADING * 0.7, points))
        y += HEADING
        for proportion in group.proportions:
            line = round(y + ROW - 10, PLACES)
            points.append(Point(proportion, line, line - LABEL_RISE, x_of(proportion.events / proportion.total),
                                x_of(proportion.lower), x_of(proportion.upper)))
            y += ROW
    axis_y = y + 4
    return Plot(height=axis_y + AXIS_SPACE, axis_y=axis_y, ticks=[Tick(t, x_of(t / 100)) for t in TICKS],
                groups=drawn)
