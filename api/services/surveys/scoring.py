"""Scoring survey answers: a pure function of the instrument and the answers, nothing else.

The rules, in plain words:

- The caller passes the instrument (one published version) as plain data. Scoring reads no
  files and no database, so a stored response scores the same for ever: an old response is
  scored against the version it answered, whatever newer versions exist.
- Every item of that version is answered exactly once, with a whole number on its scale, or
  with `None` ("did not come up") on an item that offers that answer (`did_not_come_up`).
  Anything else is an `AnswerError` naming each bad field ("answers.2.value",
  "answers.0.item", or "answers" for the items left unanswered). Nothing is half-scored.
- "Did not come up" is not a low score: the practice is left out of the total and the max.
  `rated` says how many practices were rated, `of` how many the instrument has. The total is
  the sum of the rated answers; `max` is the scale's top times `rated`; `percent` is how far
  the total sits between the lowest and highest possible totals of what was rated
  (0 to 100, one decimal, halves rounded up). Every instrument has at least one item that is
  always rated, so `percent` always exists.
- Each item is a practice with its own score. Items are grouped into the four dimensions
  (relationship, goals, approach, overall, always in that order); each dimension has a total,
  a max and a mean on the item scale (two decimals, halves rounded up).
- The weakest practices are the three lowest-scoring rated items that map to a tip the caller gave
  advice for. Ties go to the lower tip number, then the item id.
- Only instruments scored 0 to 10 (the peer's session-check) can raise the "talk about it"
  flag: a total below `flag_total_below` (36), any item below `flag_item_below` (8), or a total
  `flag_drop` (5) or more below the previous session-check's. Raising an answer can only clear
  a reason, never add one. Self-checks never flag: they are for the worker's own reflection.
- The order the answers arrive in never changes the result.

Noise, for trends: the same person answering the same item about the same practice will not
give the same number every time. We allow each answer a wobble of 17.5% of the scale (0.7
points on 0-4) and count a change between two checks as real only when it is at least
1.96 x that wobble x sqrt(2n) for n items, rounded up: the reliable-change idea of Jacobson
and Truax, with the wobble as our stated assumption. On the 11-item self-check that is
2 points for one practice and 7 for the total.
"""

from dataclasses import dataclass
from fractions import Fraction
from math import ceil, floor, sqrt

from api.services.content.tips import TipAdvice

DIMENSIONS = ("relationship", "goals", "approach", "overall")
# The flag cut-offs come from alliance-feedback practice on 0-10 items; on any other scale
# the same numbers would mean something else, so other scales never flag.
FLAGGED_SCALE = (0, 10)

TOTAL_BELOW_CUTOFF = "total_below_cutoff"
ITEM_BELOW_CUTOFF = "item_below_cutoff"
DROP_SINCE_LAST = "drop_since_last"

# The wobble allowed per answer, as a share of the scale (see "Noise" above).
ANSWER_WOBBLE = Fraction(7, 40)


@dataclass(frozen=True)
class Item:
    id: str
    dimension: str
    tip: str | None = None
    # Whether "did not come up" is an answer here: a practice that may rightly not arise in
    # two weeks (nobody joked), so not doing it is not a gap to work on.
    did_not_come_up: bool = False


@dataclass(frozen=True)
class Instrument:
    slug: str
    version: int
    scale_min: int
    scale_max: int
    items: tuple[Item, ...]

    def __post_init__(self):
        # A broken instrument is the caller's bug, not the client's: fail loudly here rather
        # than divide by zero or score an item twice later.
        if not self.items:
            raise ValueError(f"{self.slug} v{self.version}: an instrument needs items")
        if self.scale_min >= self.scale_max:
            raise ValueError(f"{self.slug} v{self.version}: scale_min must be below scale_max")
        ids = [item.id for item in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{self.slug} v{self.version}: item ids must be distinct")
        if all(item.did_not_come_up for item in self.items):
            raise ValueError(f"{self.slug} v{self.version}: at least one item must always "
                             "be rated")


@dataclass(frozen=True)
class PracticeScore:
    item: str
    tip: str | None
    value: int | None  # None: did not come up
    max: int


@dataclass(frozen=True)
class DimensionScore:
    dimension: str
    total: int
    max: int
    mean: float | None  # None when none of its practices was rated
    rated: int
    of: int


@dataclass(frozen=True)
class Weakest:
    item: str
    value: int
    tip_slug: str
    tip_title: str
    action: str


@dataclass(frozen=True)
class Score:
    total: int
    max: int
    percent: float
    rated: int
    of: int
    practices: tuple[PracticeScore, ...]
    dimensions: tuple[DimensionScore, ...]
    weakest: tuple[Weakest, ...]
    flag: bool
    reasons: tuple[str, ...]


class AnswerError(ValueError):
    """The answers do not fit the instrument; `errors` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def round_half_up(value: Fraction, places: int) -> float:
    # Exact arithmetic, then one rounding: float round() rounds halves to even and trips
    # over binary fractions, and a score must not wobble between 62.4 and 62.5.
    scale = 10**places
    return floor(value * scale + Fraction(1, 2)) / scale


def percent(total: int | Fraction, lowest: int, highest: int) -> float:
    """Where `total` sits between the lowest and highest possible, 0-100, one decimal."""
    return round_half_up(Fraction(100) * (total - lowest) / (highest - lowest), 1)


def _is_int(value) -> bool:
    # JSON true/false arrive as bool, which Python counts as int; an answer is never a bool.
    return isinstance(value, int) and not isinstance(value, bool)


def _validate(instrument: Instrument, answers) -> dict[str, int | None]:
    """The answers as {item id: value or None}, or AnswerError listing every problem at once."""
    if not isinstance(answers, list | tuple):
        raise AnswerError({"answers": ["Must be a list of {item, value} answers."]})
    known = {item.id for item in instrument.items}
    skippable = {item.id for item in instrument.items if item.did_not_come_up}
    low, high = instrument.scale_min, instrument.scale_max
    errors: dict[str, list[str]] = {}
    values: dict[str, int | None] = {}
    seen: set[str] = set()
    for index, answer in enumerate(answers):
        where = f"answers.{index}"
        if not isinstance(answer, dict):
            errors[where] = ["Must be an object with 'item' and 'value'."]
            continue
        item, value = answer.get("item"), answer.get("value")
        item_ok = False
        if "item" not in answer:
            errors[f"{where}.item"] = ["Missing data for required field."]
        elif not isinstance(item, str):
            errors[f"{where}.item"] = ["Must be an item id (a string)."]
        elif item not in known:
            # Ids from another version land here too: answers belong to one version.
            errors[f"{where}.item"] = [
                f"'{item}' is not an item of {instrument.slug} version {instrument.version}."]
        elif item in seen:
            errors[f"{where}.item"] = [f"'{item}' is answered more than once."]
        else:
            seen.add(item)
            item_ok = True
        if "value" not in answer:
            errors[f"{where}.value"] = ["Missing data for required field."]
        elif value is None:
            if item_ok and item in skippable:
                values[item] = None
            elif item_ok:
                errors[f"{where}.value"] = [
                    f"'{item}' has no \"did not come up\" answer: choose from {low} to {high}."]
        elif not _is_int(value):
            errors[f"{where}.value"] = ["Must be a whole number."]
        elif not low <= value <= high:
            errors[f"{where}.value"] = [f"Must be between {low} and {high}."]
        elif item_ok:
            values[item] = value
    missing = [item.id for item in instrument.items if item.id not in seen]
    if missing:
        errors["answers"] = ["Every item needs one answer; missing: " + ", ".join(missing) + "."]
    if errors:
        raise AnswerError(errors)
    return values


def _dimensions(instrument: Instrument,
                values: dict[str, int | None]) -> tuple[DimensionScore, ...]:
    grouped: dict[str, list[int]] = {}
    counts: dict[str, int] = {}
    for item in instrument.items:
        counts[item.dimension] = counts.get(item.dimension, 0) + 1
        rated = grouped.setdefault(item.dimension, [])
        if values[item.id] is not None:
            rated.append(values[item.id])
    # The four known dimensions in a fixed order (so a worker's and a peer's views line up),
    # then any other an instrument may invent, in the order its items first use them.
    order = [d for d in DIMENSIONS if d in grouped] + [d for d in grouped if d not in DIMENSIONS]
    return tuple(
        DimensionScore(dimension=d, total=sum(grouped[d]),
                       max=instrument.scale_max * len(grouped[d]),
                       mean=(round_half_up(Fraction(sum(grouped[d]), len(grouped[d])), 2)
                             if grouped[d] else None),
                       rated=len(grouped[d]), of=counts[d])
        for d in order)


def _weakest(instrument: Instrument, values: dict[str, int | None],
             tips: dict[str, TipAdvice] | None) -> tuple[Weakest, ...]:
    if not tips:
        return ()
    # Items without a tip (or whose tip the caller has no advice for) have nothing to
    # suggest, so they never take a place in the list; nor does a practice that did not come
    # up: there was nothing to do better.
    candidates = [item for item in instrument.items if item.tip is not None
                  and item.tip in tips and values[item.id] is not None]
    candidates.sort(key=lambda item: (values[item.id], tips[item.tip].number, item.id))
    return tuple(
        Weakest(item=item.id, value=values[item.id], tip_slug=item.tip,
                tip_title=tips[item.tip].title, action=tips[item.tip].action)
        for item in candidates[:3])


def _reasons(instrument: Instrument, total: int, values: dict[str, int | None],
             previous_total: int | None, flag_total_below: int, flag_item_below: int,
             flag_drop: int) -> tuple[str, ...]:
    if (instrument.scale_min, instrument.scale_max) != FLAGGED_SCALE:
        return ()
    reasons = []
    if total < flag_total_below:
        reasons.append(TOTAL_BELOW_CUTOFF)
    if any(value is not None and value < flag_item_below for value in values.values()):
        reasons.append(ITEM_BELOW_CUTOFF)
    if previous_total is not None and previous_total - total >= flag_drop:
        reasons.append(DROP_SINCE_LAST)
    return tuple(reasons)


def score(instrument: Instrument, answers: list[dict], *, tips: dict[str, TipAdvice] | None = None,
          previous_total: int | None = None, flag_total_below: int = 36,
          flag_item_below: int = 8, flag_drop: int = 5) -> Score:
    """Score one set of answers to one instrument version. Raises AnswerError."""
    values = _validate(instrument, answers)
    count = sum(1 for value in values.values() if value is not None)
    total = sum(value for value in values.values() if value is not None)
    lowest, highest = instrument.scale_min * count, instrument.scale_max * count
    reasons = _reasons(instrument, total, values, previous_total,
                       flag_total_below, flag_item_below, flag_drop)
    return Score(
        total=total,
        max=highest,
        percent=percent(total, lowest, highest),
        rated=count,
        of=len(instrument.items),
        # Every item, in display order; the tip is None for items that are not a practice.
        practices=tuple(PracticeScore(item=item.id, tip=item.tip, value=values[item.id],
                                      max=instrument.scale_max) for item in instrument.items),
        dimensions=_dimensions(instrument, values),
        weakest=_weakest(instrument, values, tips),
        flag=bool(reasons),
        reasons=reasons,
    )


def as_dict(result: Score) -> dict:
    """The score as the API shows it (see DESIGN.md, "Key shapes")."""
    return {
        "total": result.total,
        "max": result.max,
        "percent": result.percent,
        "rated": result.rated,
        "of": result.of,
        "practices": [{"item": p.item, "tip": p.tip, "value": p.value, "max": p.max}
                      for p in result.practices],
        "dimensions": [{"dimension": d.dimension, "total": d.total, "max": d.max, "mean": d.mean,
                        "rated": d.rated, "of": d.of} for d in result.dimensions],
        "weakest": [{"item": w.item, "value": w.value,
                     "tip": {"slug": w.tip_slug, "title": w.tip_title}, "action": w.action}
                    for w in result.weakest],
        "flag": result.flag,
        "reasons": list(result.reasons),
    }


def noise_threshold(instrument: Instrument, items: int = 1) -> int:
    """The smallest change in a sum of `items` answers that is more than ordinary wobble."""
    wobble = float(ANSWER_WOBBLE * (instrument.scale_max - instrument.scale_min))
    # Round first: 1.96 x 0.7 x sqrt(2) is 1.9404 on paper but not quite in binary floats.
    return ceil(round(1.96 * wobble * sqrt(2 * items), 6))


# The rule as people read it: plain words, no formula (the formula is in this module's
# docstring and the README). {practice} and {total} are the thresholds.
NOISE_RULE = {
    "en": ("A change is real when one practice moves by {practice} points or more, or your "
           "total moves by {total} points or more. Your answers move up and down a little from "
           "one check to the next, even when nothing has really changed. So we do not count "
           "smaller moves. If a practice did not come up, we compare only the practices you "
           "rated both times, and then the total needs to move a little less."),
    "es": ("Un cambio es real cuando una práctica sube o baja {practice} puntos o más, o tu "
           "total sube o baja {total} puntos o más. Tus respuestas suben y bajan un poco de una "
           "vez a otra, aunque nada haya cambiado de verdad. Por eso no contamos los cambios "
           "más pequeños. Si una práctica no se dio, comparamos solo las prácticas que "
           "calificaste las dos veces, y entonces el total necesita moverse un poco menos."),
}


def noise_rule(instrument: Instrument, language: str = "en") -> str:
    """The rule in plain words, with this instrument's numbers, for people reading a trend."""
    words = NOISE_RULE.get(language, NOISE_RULE["en"])
    return words.format(practice=noise_threshold(instrument),
                        total=noise_threshold(instrument, len(instrument.items)))
