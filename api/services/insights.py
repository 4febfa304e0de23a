"""Anonymous agency insights: how an agency's self-checks and session-checks look, in groups
large enough that no one can be picked out.

- Who counts: self-checks of the agency's workers, and session-checks in the agency's
  partnerships, shared or kept for agency totals alike (that is what "aggregate_only" means).
- Each person counts once per survey: their latest response in the period. A frequent
  answerer cannot outweigh the others, and no distribution is one person's answers repeated.
- A group (a survey, an item, a dimension) of fewer than MIN_GROUP distinct people shows no
  numbers at all, not even how many people: "not enough responses".
- Means are on the item scale (two decimals) and as 0-100 (one decimal); a distribution counts
  the answers at each point of the scale (for a dimension, every answer to its items).
"""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction

from sqlalchemy import and_, or_, select

from api.extensions import db
from api.models import Partnership, SurveyInstrument, SurveyResponse, User
from api.services import audit, instruments, scoring

MIN_GROUP = 5


def _latest_per_person(agency_id: uuid.UUID, start: date, end: date) -> dict:
    """{slug: {person id: (answers by item, instrument row)}}, each person's latest."""
    begin = datetime.combine(start, time.min, UTC)
    stop = datetime.combine(end + timedelta(days=1), time.min, UTC)
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


def _group(values: list[int], people: int, low: int, high: int) -> dict:
    if people < MIN_GROUP:
        return {"enough_responses": False, "mean": None, "percent": None, "distribution": None}
    mean = Fraction(sum(values), len(values))
    return {"enough_responses": True, "mean": scoring.round_half_up(mean, 2),
            "percent": scoring.percent(mean, low, high),
            "distribution": [{"value": point, "count": values.count(point)}
                             for point in range(low, high + 1)]}


def _survey(newest: SurveyInstrument, answered: dict) -> dict:
    low, high = newest.scale_min, newest.scale_max
    items = newest.definition["items"]
    by_item = {item["id"]: [a[item["id"]] for a, _ in answered.values() if item["id"] in a]
               for item in items}
    dimensions = [d for d in scoring.DIMENSIONS if any(i["dimension"] == d for i in items)]
    people = len(answered)
    return {
        "survey": newest.slug, "audience": newest.audience,
        "scale": {"min": low, "max": high},
        "enough_responses": people >= MIN_GROUP,
        "respondents": people if people >= MIN_GROUP else None,
        "items": [{"item": item["id"], "tip": item["tip"], "dimension": item["dimension"],
                   **_group(by_item[item["id"]], len(by_item[item["id"]]), low, high)}
                  for item in items],
        "dimensions": [{"dimension": d, **_group(
            [value for item in items if item["dimension"] == d for value in by_item[item["id"]]],
            sum(1 for a, _ in answered.values()
                if any(i["dimension"] == d and i["id"] in a for i in items)),
            low, high)} for d in dimensions],
    }


def insights(admin: User, agency_id: uuid.UUID, start: date, end: date) -> dict:
    """Every survey's groups for the agency over [start, end] (UTC days, both included)."""
    latest = _latest_per_person(agency_id, start, end)
    audit.record_now(admin, "agency.insights.read", object_type="agency", object_id=agency_id)
    return {"agency_id": agency_id, "start": start, "end": end, "min_group_size": MIN_GROUP,
            # Items and dimensions follow each survey's newest version.
            "surveys": [_survey(row, latest.get(row.slug, {})) for row in instruments.latest()]}
