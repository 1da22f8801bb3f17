"""The 95% Wilson score interval of a proportion: one formula, used by the FHIR view and the evidence page.

The source states counts (and sometimes a percentage), never an interval: every
interval here is *computed*, and whoever shows one says so. :func:`wilson_interval`
gives the bounds as fractions, unrounded (for drawing); :func:`wilson` gives them in
percent, rounded half up to one decimal place (for showing and for FHIR). Counts that
cannot be a proportion (a negative count, more events than the total, a total of 0)
have no interval: :class:`IntervalError`, never a made-up one.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from .errors import SpineEvidenceError

Z_95 = 1.959963984540054  # the 0.975 quantile of the standard normal distribution
STEP = Decimal("0.1")  # percentages are shown to one decimal place
WILSON_LABEL = "95% Wilson interval, computed"  # how a page names an interval it shows (never stated in the source)


class IntervalError(SpineEvidenceError):
    """Counts that are not a proportion (events outside 0..total, or a total below 1): no interval exists."""


def is_proportion(events: object, total: object) -> bool:
    """Whether ``events`` of ``total`` are integer counts with an interval (0 ≤ events ≤ total, total ≥ 1)."""
    return (isinstance(events, int) and isinstance(total, int) and not isinstance(events, bool)
            and not isinstance(total, bool) and 0 <= events <= total and total >= 1)


def wilson_interval(events: int, total: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of ``events``/``total`` as fractions in [0, 1], unrounded.

    Centre (p + z²/2n) / (1 + z²/n), half-width z / (1 + z²/n) · √(p(1 − p)/n + z²/4n²).
    """
    if not is_proportion(events, total):
        raise IntervalError(f"{events} of {total} is not a proportion (0 <= events <= total, total >= 1): no interval")
    p, z2 = events / total, z * z
    centre = (p + z2 / (2 * total)) / (1 + z2 / total)
    half = z / (1 + z2 / total) * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total))
    return max(0.0, centre - half), min(1.0, centre + half)


def percent(fraction: float) -> Decimal:
    """A fraction in percent, rounded half up to one decimal place (``0.6783`` → ``67.8``)."""
    return Decimal(repr(fraction * 100)).quantize(STEP, ROUND_HALF_UP)


def wilson(events: int, total: int) -> tuple[Decimal, Decimal]:
    """The 95% Wilson score interval of ``events``/``total`` in percent, rounded half up to 0.1."""
    low, high = wilson_interval(events, total)
    return percent(low), percent(high)
