"""Agency insights, released with differential privacy so that no one can be picked out.

Exact group figures let an agency admin single a person out: sign up four fake workers, have
them answer with zeros, and subtract; or compare two date ranges that differ by one person.
So the figures are released the way statistical agencies do it, with OpenDP:

- **Fixed periods only**: a calendar month ("2026-11") or quarter ("2026-Q4"), once it has
  ended. No two releases can be made to differ by one chosen person's answers.
- **Released once, kept**: the first request for an agency's period measures and stores the
  figures; every later request returns the stored ones unchanged, so asking again cannot
  average the noise away.
- **Noise on every figure**: per survey, the number of people (a count) and each dimension's
  sum of people's 0-100 scores (centred, clamped to -50..50) get discrete Laplace noise
  from OpenDP's own measurements, whose privacy maps give the epsilon each one spends; the
  means, the whole-survey figure and the intervals are computed from those noisy figures
  only (post-processing spends nothing).
- **A stated budget**: a month's release spends EPSILON_MONTH and a quarter's EPSILON_QUARTER
  of the data of each month it covers; each month's data is in one month release and one
  quarter release at most, so it never spends more than their sum (the budget per agency per
  calendar month). Surveys answered by different people (workers, peers) are disjoint, so
  each gets the release's whole epsilon; surveys sharing an audience share it.
- **The unit protected** is one person: all their answers to a survey in the period (their
  latest response counts, so answering often adds nothing).
- **Each figure has a 90% interval** (how far the noise could have moved it), and a group
  whose noisy count is under MIN_GROUP shows no figures at all.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from api.extensions import db
from api.lib.clock import iso, utcnow
from api.models import Agency, InsightRelease, Partnership, SurveyInstrument, SurveyResponse, User
from api.services import audit
from api.services.surveys import instruments, scoring

MIN_GROUP = 5
EPSILON_MONTH = 1.0
EPSILON_QUARTER = 1.0
EPSILON_PER_MONTH = EPSILON_MONTH + EPSILON_QUARTER
COUNT_SHARE = 0.2  # of a survey's epsilon, for the number of people; the rest for the sums
INTERVAL = 0.9
DRAWS = 2000  # noise draws behind each interval
MECHANISM = ("Discrete Laplace noise from OpenDP on each survey's count of people and on "
             "each dimension's sum of people's scores (clamped), released once per closed "
             "period and kept")
PROTECTS = ("One person: everything they answered to a survey in the period. Whether or "
            "not they took part changes the chance of any released figure by a factor of at "
            "most e^epsilon.")


class NotYetClosed(Exception):
    def __init__(self, available_from: date):
        super().__init__(available_from)
        self.available_from = available_from


class BeforeTheAgency(Exception):
    """The period ended before the agency was made: nobody could have answered, and noise on
    nothing would draw a score for a month that never was."""

    def __init__(self, created_on: date):
        super().__init__(created_on)
        self.created_on = created_on


@dataclass(frozen=True)
class Period:
    key: str
    start: date
    end: date  # the last day, included

    @property
    def epsilon(self) -> float:
        return EPSILON_QUARTER if "Q" in self.key else EPSILON_MONTH


def period(key: str) -> Period:
    """The month or quarter named by `key` ("2026-11", "2026-Q4"; checked by the schema)."""
    year, part = int(key[:4]), key[5:]
    quarter = part.startswith("Q")
    first = 3 * int(part[1:]) - 2 if quarter else int(part)
    months = 3 if quarter else 1
    start = date(year, first, 1)
    after = date(year + (first + months - 1) // 12, (first + months - 1) % 12 + 1, 1)
    return Period(key, start, after - timedelta(days=1))


def last_closed_month(today: date) -> Period:
    end = today.replace(day=1) - timedelta(days=1)
    return period(f"{end.year}-{end.month:02d}")


def insights(admin: User, agency_id: uuid.UUID, wanted: Period) -> dict:
    """The agency's release for `wanted`, made now if this is the first time it is asked."""
    today = utcnow().date()
    if wanted.end >= today:
        raise NotYetClosed(wanted.end + timedelta(days=1))
    created_on = db.session.get(Agency, agency_id).created_at.date()
    if wanted.end < created_on:
        raise BeforeTheAgency(created_on)
    stored = _stored(agency_id, wanted.key)
    if stored is None:
        release = InsightRelease(agency_id=agency_id, period=wanted.key,
                                 epsilon=wanted.epsilon, figures=_measure(agency_id, wanted))
        try:
            with db.session.begin_nested():
                db.session.add(release)
        except IntegrityError:  # another process released it first: theirs is the one
            release = _stored(agency_id, wanted.key)
        stored = release
    audit.record_read(admin, "agency.insights.read", object_type="agency", object_id=agency_id)
    return {"agency_id": agency_id, "period": stored.period, "start": wanted.start,
            "end": wanted.end, "released_at": iso(stored.released_at),
            "min_group_size": MIN_GROUP,
            "privacy": {"epsilon": stored.epsilon, "epsilon_per_month": EPSILON_PER_MONTH,
                        "interval": INTERVAL, "mechanism": MECHANISM, "protects": PROTECTS},
            **stored.figures}


def _stored(agency_id: uuid.UUID, key: str) -> InsightRelease | None:
    return db.session.scalar(select(InsightRelease).where(
        InsightRelease.agency_id == agency_id, InsightRelease.period == key))


def _latest_per_person(agency_id: uuid.UUID, wanted: Period) -> dict:
    """{slug: {person id: (answers by item, instrument row)}}, each person's latest."""
    begin = datetime.combine(wanted.start, time.min, UTC)
    stop = datetime.combine(wanted.end + timedelta(days=1), time.min, UTC)
    rows = db.session.execute(
        select(SurveyResponse, SurveyInstrument).join(SurveyInstrument)
        .outerjoin(User, User.id == SurveyResponse.user_id)
        .outerjoin(Partnership, Partnership.id == SurveyResponse.partnership_id)
        .where(SurveyResponse.created_at >= begin, SurveyResponse.created_at < stop,
               or_(and_(SurveyResponse.partnership_id.is_(None), User.agency_id == agency_id),
                   Partnership.agency_id == agency_id))
        .order_by(SurveyResponse.created_at, SurveyResponse.id)).all()
    latest: dict[str, dict] = {}
    for response, row in rows:  # oldest first, so a later answer replaces an earlier one
        answers = {answer["item"]: answer["value"] for answer in response.answers}
        latest.setdefault(row.slug, {})[response.user_id] = (answers, row)
    return latest


def person_scores(answers: dict, row: SurveyInstrument, dimensions: list[str]) -> list[int]:
    """One person's 0-100 score per dimension (a dimension they left blank: their overall).

    A practice that did not come up (value None) is left out, as in their own score; a
    dimension where none came up counts as left blank. Every instrument has an item that is
    always rated, so a person always has an overall.
    """
    low, high = row.scale_min, row.scale_max
    by_dimension: dict[str, list[int]] = {}
    for item in row.definition["items"]:
        if answers.get(item["id"]) is not None:
            by_dimension.setdefault(item["dimension"], []).append(answers[item["id"]])
    everything = [value for values in by_dimension.values() for value in values]

    def score(values: list[int]) -> int:
        return round(100 * (sum(values) / len(values) - low) / (high - low))

    overall = score(everything)
    return [score(by_dimension[d]) if d in by_dimension else overall for d in dimensions]


def _measure(agency_id: uuid.UUID, wanted: Period) -> dict:
    # Here, not at the top: OpenDP is large, and only a first release of a period needs it.
    from api.services.surveys import dp_release

    latest = _latest_per_person(agency_id, wanted)
    newest = instruments.latest()
    audiences = [row.audience for row in newest]
    surveys = []
    for row in newest:
        items = row.definition["items"]
        dimensions = [d for d in scoring.DIMENSIONS if any(i["dimension"] == d for i in items)]
        weights = [sum(1 for i in items if i["dimension"] == d) for d in dimensions]
        people = [person_scores(answers, answered_row, dimensions)
                  for answers, answered_row in latest.get(row.slug, {}).values()]
        epsilon = wanted.epsilon / audiences.count(row.audience)
        figures = dp_release.release(people, len(dimensions), weights, epsilon,
                                     count_share=COUNT_SHARE, interval=INTERVAL, draws=DRAWS)
        enough = figures.people.estimate >= MIN_GROUP
        surveys.append({
            "survey": row.slug, "audience": row.audience,
            "scale": {"min": row.scale_min, "max": row.scale_max}, "epsilon": epsilon,
            "respondents": figures.people.as_dict(),
            "enough_responses": enough,
            "dimensions": [{"dimension": d, **(figure.as_dict() if enough else
                                               dp_release.Figure.withheld())}
                           for d, figure in zip(dimensions, figures.dimensions, strict=True)],
            "all_items": figures.whole.as_dict() if enough else dp_release.Figure.withheld(),
        })
    return {"surveys": surveys}
