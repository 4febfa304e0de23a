"""A worker's self-checks over time: each practice and the total, and which changes are real.

Each check is compared with the one just before it (even when that one is older than the
window asked for). A practice is compared only with the same item on the same scale, and a
total only with a total of the same items, so a new instrument version starts fresh instead
of showing a change that is really a change of questions.

Like is compared with like: a practice that did not come up (no value) has no change, and
the total's change covers only the practices rated both times (`compared` says how many),
judged against the wobble of that many answers. Each check says how many practices were
rated (`rated` of `of`); its `percent` is of what was rated.
"""

from sqlalchemy import select

from api.extensions import db
from api.models import SurveyInstrument, SurveyResponse, User
from api.services import audit
from api.services.surveys import instruments, scoring

SELF_CHECK = instruments.SELF_CHECK


def _change(now: int | None, before: int | None, threshold: int) -> dict:
    if now is None or before is None:
        return {"change": None, "beyond_noise": False}
    return {"change": now - before, "beyond_noise": abs(now - before) >= threshold}


def _total_change(now: dict, before: dict | None, instrument: scoring.Instrument) -> dict:
    """The total's change over the practices rated both times, and how many those are."""
    if before is None:
        return {"change": None, "beyond_noise": False, "compared": None}
    both = [item for item, value in now.items()
            if value is not None and before.get(item) is not None]
    if not both:
        return {"change": None, "beyond_noise": False, "compared": 0}
    change = _change(sum(now[i] for i in both), sum(before[i] for i in both),
                     scoring.noise_threshold(instrument, len(both)))
    return {**change, "compared": len(both)}


def _check(response: SurveyResponse, instrument: scoring.Instrument, before: dict | None):
    result = scoring.score(instrument, response.answers)
    same_items = before is not None and before["items"] == {i.id for i in instrument.items}
    same_scale = before is not None and before["scale"] == (instrument.scale_min,
                                                            instrument.scale_max)
    practice_noise = scoring.noise_threshold(instrument)
    earlier = before["practices"] if same_scale else {}
    values = {p.item: p.value for p in result.practices}
    shown = {
        "id": response.id, "created_at": response.created_at, "version": instrument.version,
        "total": result.total, "max": result.max, "percent": result.percent,
        "rated": result.rated, "of": result.of,
        **_total_change(values, earlier if same_items and same_scale else None, instrument),
        "practices": [{"item": p.item, "tip": p.tip, "value": p.value, "max": p.max,
                       **_change(p.value, earlier.get(p.item), practice_noise)}
                      for p in result.practices],
    }
    summary = {"items": {i.id for i in instrument.items},
               "scale": (instrument.scale_min, instrument.scale_max), "practices": values}
    return shown, summary


def trend(user: User, limit: int, language: str = "en") -> dict:
    """The newest `limit` self-checks of `user`, oldest first, each with its changes."""
    rows = db.session.execute(
        select(SurveyResponse, SurveyInstrument).join(SurveyInstrument)
        .where(SurveyResponse.user_id == user.id, SurveyInstrument.slug == SELF_CHECK)
        .order_by(SurveyResponse.created_at.desc(), SurveyResponse.id.desc())
        .limit(limit + 1)  # one more: the baseline for the oldest check shown
    ).all()
    rows.reverse()
    checks, before = [], None
    for response, row in rows:
        shown, before = _check(response, instruments.for_scoring(row), before)
        checks.append(shown)
    audit.record_read(user, "self_check.trend", object_type="user", object_id=user.id)
    # The rule of the newest check's version (the caller has made sure one is published).
    instrument = instruments.for_scoring(rows[-1][1] if rows else instruments.newest(SELF_CHECK))
    noise = {"practice": scoring.noise_threshold(instrument),
             "total": scoring.noise_threshold(instrument, len(instrument.items)),
             "rule": scoring.noise_rule(instrument, language)}
    return {"survey": SELF_CHECK, "noise": noise, "checks": checks[-limit:]}
