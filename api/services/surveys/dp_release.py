"""Differentially private figures for one survey's group, measured with OpenDP.

Input: each person's 0-100 score per dimension. Output: a noisy count of people, each
dimension's noisy mean, and the whole survey's mean, each with an interval.

- The count is OpenDP's `count` then discrete Laplace noise; each dimension's sum is
  `clamp` to -50..50 (scores centred on 50, so one person moves a sum by at most 50) then
  `sum` then discrete Laplace noise. Scales are found with `binary_search_param` so that
  each measurement's own privacy map says exactly its share of epsilon.
- All of them read the same people, so their epsilons add up (sequential composition); the
  total is checked against the survey's epsilon before anything is released.
- Means (50 + noisy sum / noisy count), the whole-survey mean (dimensions weighted by their
  number of items) and the intervals are post-processing of the noisy figures: the interval
  is the middle 90% of the values the truth could take given draws of the same noise.
"""

import functools
from dataclasses import asdict, dataclass

import opendp.prelude as dp

dp.enable_features("contrib")

HALF_RANGE = 50  # scores are 0-100, centred on 50


@dataclass(frozen=True)
class Figure:
    estimate: float
    low: float
    high: float

    def as_dict(self) -> dict:
        return {"percent": round(self.estimate, 1), "low": round(self.low, 1),
                "high": round(self.high, 1)}

    @staticmethod
    def withheld() -> dict:
        return {"percent": None, "low": None, "high": None}


@dataclass(frozen=True)
class Count:
    estimate: int
    low: int
    high: int

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Release:
    people: Count
    dimensions: list[Figure]
    whole: Figure
    epsilon_spent: float


_SPACE = (dp.vector_domain(dp.atom_domain(T=int)), dp.symmetric_distance())


def _count(scale: float):
    return _SPACE >> dp.t.then_count() >> dp.m.then_laplace(scale)


def _sum(scale: float):
    return (_SPACE >> dp.t.then_clamp(bounds=(-HALF_RANGE, HALF_RANGE)) >> dp.t.then_sum()
            >> dp.m.then_laplace(scale))


def _noise(scale: float, draws: int) -> list[int]:
    """Draws of the same discrete Laplace noise, for the intervals (they release nothing)."""
    noise = dp.m.make_laplace(dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int),
                              scale)
    return noise([0] * draws)


def _quantiles(values: list[float], interval: float) -> tuple[float, float]:
    ordered = sorted(values)
    tail = (1 - interval) / 2
    return (ordered[int(tail * (len(ordered) - 1))],
            ordered[int((1 - tail) * (len(ordered) - 1))])


@functools.lru_cache(maxsize=64)
def scales(epsilon: float, count_share: float, dimensions: int) -> tuple[float, float, float]:
    """(count scale, sum scale, epsilon spent): noise for the count and for each sum."""
    count_scale = dp.binary_search_param(_count, d_in=1, d_out=epsilon * count_share)
    sum_scale = dp.binary_search_param(_sum, d_in=1,
                                       d_out=epsilon * (1 - count_share) / dimensions)
    # The same people are read by every measurement: their epsilons add up.
    spent = _count(count_scale).map(1) + dimensions * _sum(sum_scale).map(1)
    if spent > epsilon * (1 + 1e-9):
        raise RuntimeError(f"release would spend epsilon {spent}, more than {epsilon}")
    return count_scale, sum_scale, spent


def release(people: list[list[int]], dimensions: int, weights: list[int], epsilon: float, *,
            count_share: float, interval: float, draws: int) -> Release:
    """Noisy figures for `people` (each a list of `dimensions` scores, 0-100)."""
    count_scale, sum_scale, spent = scales(epsilon, count_share, dimensions)
    count = _count(count_scale)
    sums = [_sum(sum_scale) for _ in range(dimensions)]

    noisy_people = count([0] * len(people))
    noisy_sums = [measure([person[d] - HALF_RANGE for person in people])
                  for d, measure in enumerate(sums)]

    count_noise = _noise(count_scale, draws)
    people_low, people_high = _quantiles([noisy_people - e for e in count_noise], interval)
    plausible_people = [max(1, noisy_people - e) for e in count_noise]
    figures, plausible_by_dimension = [], []
    for noisy_sum in noisy_sums:
        sum_noise = _noise(sum_scale, draws)
        plausible = [_clamp(HALF_RANGE + (noisy_sum - e) / n)
                     for e, n in zip(sum_noise, plausible_people, strict=True)]
        plausible_by_dimension.append(plausible)
        figures.append(Figure(_clamp(HALF_RANGE + noisy_sum / max(1, noisy_people)),
                              *_quantiles(plausible, interval)))
    total = sum(weights)
    whole_plausible = [sum(w * values[i] for w, values in zip(weights, plausible_by_dimension,
                                                              strict=True)) / total
                       for i in range(draws)]
    whole = Figure(sum(w * f.estimate for w, f in zip(weights, figures, strict=True)) / total,
                   *_quantiles(whole_plausible, interval))
    return Release(Count(max(0, noisy_people), max(0, people_low), max(0, people_high)),
                   figures, whole, spent)


def _clamp(percent: float) -> float:
    return min(100.0, max(0.0, percent))
