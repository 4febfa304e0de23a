"""The two-sided view of one partnership: how the worker rates their own practice, next to
how the peer says sessions feel, dimension by dimension, on one 0-100 scale.

- The peer's side uses only session-checks the peer chose to share now, and is the same for
  both members: nothing kept for agency totals reaches the worker, not even through the flag
  or a drop (a drop is measured from the previous *shared* check).
- The peer's side per dimension is the mean of the latest three shared checks, so one odd
  session does not swing it; the flag is the latest shared check's.
- The worker's side is their latest self-check, as dimension percentages only, never their
  item answers. The self-check has no "overall" item, so its overall is the whole self-check.
- A gap is the peer's percentage minus the worker's: below zero, the peer feels it less than
  the worker thinks.
- When flagged, the repair suggestions are for whoever is looking. The worker gets the FAQ
  on rebuilding rapport and every tip of the dimension the peer rated lowest in that check
  (overall has no tips of its own); the peer gets what is written for them on saying that
  something feels off.
"""

from fractions import Fraction

from sqlalchemy import func, select

from api.extensions import db
from api.models import Partnership, SurveyInstrument, SurveyResponse, User
from api.services import audit
from api.services.content.faqs import get_faq
from api.services.content.tips import list_tips, tip_advice
from api.services.surveys import instruments, scoring
from api.services.surveys.responses import flag_rules

SELF_CHECK, SESSION_CHECK = instruments.SELF_CHECK, instruments.SESSION_CHECK
RECENT_SHARED = 3
REPAIR_FAQ = "rebuild-damaged-rapport"
PEER_REPAIR_FAQ = "it-is-not-working"
PEER_REPAIR_TAGS = {"repair", "trust"}
TIPPED_DIMENSIONS = ("relationship", "goals", "approach")


def _dimension_percents(instrument: scoring.Instrument, result: scoring.Score) -> dict:
    """Each dimension on 0-100, exact, so a 0-4 self-check and a 0-10 check line up.

    Of what was rated: a dimension whose practices all did not come up has no percent."""
    low, high = instrument.scale_min, instrument.scale_max
    return {d.dimension: Fraction(100) * (d.total - low * d.rated) / ((high - low) * d.rated)
            for d in result.dimensions if d.rated}


def _rounded(value: Fraction | None) -> float | None:
    return None if value is None else scoring.round_half_up(value, 1)


def _worker_side(worker_id) -> dict | None:
    found = db.session.execute(
        select(SurveyResponse, SurveyInstrument).join(SurveyInstrument)
        .where(SurveyResponse.user_id == worker_id, SurveyInstrument.slug == SELF_CHECK)
        .order_by(SurveyResponse.created_at.desc(), SurveyResponse.id.desc()).limit(1)).first()
    if found is None:
        return None
    response, row = found
    instrument = instruments.for_scoring(row)
    result = scoring.score(instrument, response.answers)
    percents = _dimension_percents(instrument, result)
    count = result.rated  # the whole check as rated, exact like each dimension
    percents["overall"] = (Fraction(100) * (result.total - instrument.scale_min * count)
                           / ((instrument.scale_max - instrument.scale_min) * count))
    return {"created_at": response.created_at, "version": row.version,
            "percent": result.percent, "percents": percents}


def _shared_checks(partnership_id) -> list[dict]:
    """The latest shared session-checks, newest first, each flagged against the one before."""
    rows = db.session.execute(
        select(SurveyResponse, SurveyInstrument).join(SurveyInstrument)
        .where(SurveyResponse.partnership_id == partnership_id, SurveyResponse.share == "now",
               SurveyInstrument.slug == SESSION_CHECK)
        .order_by(SurveyResponse.created_at.desc(), SurveyResponse.id.desc())
        .limit(RECENT_SHARED + 1)).all()  # one more: the baseline of the oldest one's drop
    checks = []
    for index, (response, row) in enumerate(rows[:RECENT_SHARED]):
        before = rows[index + 1][0].total if index + 1 < len(rows) else None
        instrument = instruments.for_scoring(row)
        result = scoring.score(instrument, response.answers, previous_total=before,
                               **flag_rules())
        checks.append({"created_at": response.created_at, "version": row.version,
                       "total": result.total, "max": result.max, "percent": result.percent,
                       "flag": result.flag, "reasons": list(result.reasons),
                       "percents": _dimension_percents(instrument, result)})
    return checks


def _repair(weakest: str, language: str) -> tuple[dict, list[str]]:
    self_check = instruments.newest(SELF_CHECK)
    slugs = {item["tip"] for item in (self_check.definition["items"] if self_check else [])
             if item["dimension"] == weakest and item["tip"]}
    advice = tip_advice(language)
    tips = sorted((advice[slug] for slug in slugs if slug in advice), key=lambda t: t.number)
    faq = get_faq(REPAIR_FAQ, language)
    repair = {"dimension": weakest,
              "faq": {"slug": faq.slug, "question": faq.question} if faq else None,
              "tips": [{"slug": t.slug, "title": t.title, "action": t.action} for t in tips]}
    return repair, [faq.language] if faq else []


def asking_for_a_talk(partnership_ids) -> set:
    """Of these partnerships, those whose latest shared session-check raises the flag: the
    same flag the two-sided view shows, found for a whole list in one query."""
    if not partnership_ids:
        return set()
    rank = func.row_number().over(
        partition_by=SurveyResponse.partnership_id,
        order_by=(SurveyResponse.created_at.desc(), SurveyResponse.id.desc())).label("rank")
    ranked = (select(SurveyResponse.id, rank).join(SurveyInstrument)
              .where(SurveyResponse.partnership_id.in_(list(partnership_ids)),
                     SurveyResponse.share == "now", SurveyInstrument.slug == SESSION_CHECK)
              .subquery())
    rows = db.session.execute(
        select(SurveyResponse, SurveyInstrument, ranked.c.rank).join(SurveyInstrument)
        .join(ranked, ranked.c.id == SurveyResponse.id).where(ranked.c.rank <= 2)).all()
    latest = {r.partnership_id: (r, row) for r, row, n in rows if n == 1}
    before = {r.partnership_id: r.total for r, _, n in rows if n == 2}
    return {pid for pid, (response, row) in latest.items()
            if scoring.score(instruments.for_scoring(row), response.answers,
                             previous_total=before.get(pid), **flag_rules()).flag}


def _peer_repair(weakest: str, language: str) -> tuple[dict, list[str]]:
    tips, _ = list_tips(language, audience="peer", page_size=100)
    faq = get_faq(PEER_REPAIR_FAQ, language)
    repair = {"dimension": weakest,
              "faq": {"slug": faq.slug, "question": faq.question} if faq else None,
              "tips": [{"slug": t.slug, "title": t.title, "action": t.actions[0]}
                       for t in tips if PEER_REPAIR_TAGS & set(t.tags) and t.actions]}
    return repair, [faq.language] if faq else []


def view(user: User, partnership: Partnership, language: str) -> tuple[dict, list[str]]:
    """The view both members see, and the languages its words are in."""
    worker = _worker_side(partnership.worker_id)
    checks = _shared_checks(partnership.id)
    peer = {d: sum(c["percents"][d] for c in checks) / len(checks)
            for d in scoring.DIMENSIONS if checks and all(d in c["percents"] for c in checks)}
    own = worker["percents"] if worker else {}
    dimensions = [{"dimension": d, "worker_percent": _rounded(own.get(d)),
                   "peer_percent": _rounded(peer.get(d)),
                   "gap": _rounded(peer[d] - own[d]) if d in peer and d in own else None}
                  for d in scoring.DIMENSIONS]
    latest = checks[0] if checks else None
    flag = bool(latest and latest["flag"])
    repair, languages = None, []
    if flag:
        rated = latest["percents"]
        weakest = min((d for d in TIPPED_DIMENSIONS if d in rated),
                      key=lambda d: (rated[d], TIPPED_DIMENSIONS.index(d)))
        for_peer = user.id == partnership.peer_id
        repair, languages = (_peer_repair if for_peer else _repair)(weakest, language)
    audit.record_read(user, "partnership.rapport.read", object_type="partnership",
                     object_id=partnership.id, partnership_id=partnership.id)
    shown_checks = [{key: value for key, value in check.items() if key != "percents"} |
                    {"dimensions": [{"dimension": d, "percent": _rounded(p)}
                                    for d, p in check["percents"].items()]}
                    for check in checks]
    self_check = None if worker is None else {
        "created_at": worker["created_at"], "version": worker["version"],
        "percent": worker["percent"],
        "dimensions": [{"dimension": d, "percent": _rounded(p)}
                       for d, p in worker["percents"].items()]}
    return {"partnership_id": partnership.id, "self_check": self_check,
            "session_checks": shown_checks, "dimensions": dimensions, "flag": flag,
            "reasons": list(latest["reasons"]) if latest else [], "repair": repair}, languages
