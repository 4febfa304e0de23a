"""Stored survey responses: a worker's self-checks, a peer's session-checks."""

import uuid

from flask import current_app
from sqlalchemy import func, select

from api.db.paging import page_of
from api.extensions import db
from api.models import Partnership, SurveyInstrument, SurveyResponse, User
from api.services import audit
from api.services.reminders import outbox
from api.services.support.partnerships import Ended
from api.services.surveys import instruments, scoring

# Whole sentences per audience, so each has its own words in every language.
FOR_AUDIENCE = {"worker": "This survey is for the worker to answer.",
                "peer": "This survey is for the peer to answer."}


class NotAllowed(Exception):
    def __init__(self, status: int, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.message, self.field = status, message, field


def flag_rules() -> dict[str, int]:
    """The "talk about it" cut-offs in force (see Config), as scoring.score() takes them."""
    config = current_app.config
    return {"flag_total_below": config["SESSION_CHECK_FLAG_TOTAL_BELOW"],
            "flag_item_below": config["SESSION_CHECK_FLAG_ITEM_BELOW"],
            "flag_drop": config["SESSION_CHECK_FLAG_DROP"]}


def _previous_session_total(partnership_id: uuid.UUID, slug: str, *,
                            shared_only: bool = False) -> int | None:
    stmt = (select(SurveyResponse.total).join(SurveyInstrument)
            .where(SurveyResponse.partnership_id == partnership_id, SurveyInstrument.slug == slug))
    if shared_only:
        stmt = stmt.where(SurveyResponse.share == "now")
    return db.session.scalar(
        stmt.order_by(SurveyResponse.created_at.desc(), SurveyResponse.id.desc()).limit(1))


def store(user: User, row: SurveyInstrument, answers: list[dict], *,
          partnership_id: uuid.UUID | None = None, share: str | None = None,
          tips: dict | None = None) -> tuple[SurveyResponse, scoring.Score]:
    """Score and keep a response; who may answer what is the instrument's audience."""
    if row.audience != user.role:
        raise NotAllowed(403, FOR_AUDIENCE[row.audience])
    previous = shared_previous = None
    if row.audience == "peer":
        partnership = db.session.get(Partnership, partnership_id) if partnership_id else None
        if partnership is None or partnership.peer_id != user.id:
            raise NotAllowed(422, "Choose one of your partnerships.", "partnership_id")
        if partnership.status == "ended":
            raise NotAllowed(409, Ended.message)
        if share is None:
            raise NotAllowed(422, "Choose who sees this: now or aggregate_only.", "share")
        previous = _previous_session_total(partnership.id, row.slug)
        if share == "now":
            shared_previous = _previous_session_total(partnership.id, row.slug,
                                                      shared_only=True)
    elif partnership_id is not None or share is not None:
        raise NotAllowed(422, "A self-check is yours alone: it takes no partnership or share.",
                         "partnership_id" if partnership_id is not None else "share")
    result = scoring.score(instruments.for_scoring(row), answers, tips=tips,
                           previous_total=previous, **flag_rules())
    response = SurveyResponse(instrument_id=row.id, user_id=user.id,
                              partnership_id=partnership_id, share=share,
                              answers=sorted(answers, key=lambda a: a["item"]),
                              total=result.total)
    db.session.add(response)
    db.session.flush()
    # Filed under the partnership (where the worker's access log would show it) only when
    # shared now: a check kept for agency totals must not reach the worker even as an event.
    audit.record(user, "survey_response.create", object_type="survey_response",
                 object_id=response.id,
                 partnership_id=partnership_id if share == "now" else None)
    # The worker hears that a talk is asked for, never the answers: those wait in the app.
    # Judged as the worker's view judges it (api.services.surveys.two_sided), against the last
    # shared check: a drop from one kept for agency totals must not reach the worker.
    if share == "now" and scoring.score(
            instruments.for_scoring(row), answers, previous_total=shared_previous,
            **flag_rules()).flag:
        outbox.alert(partnership.worker_id, "talk_flag", partnership_id=partnership.id,
                     subject_id=response.id, about_user_id=user.id)
    return response, result


def mine(user: User, slug: str, page: int, page_size: int, tips: dict | None = None):
    """One page of the caller's responses, each scored as it was when stored."""
    # The total just before each response in the same partnership, so a listed session-check
    # shows the same drop it raised when it was kept (self-checks never flag, so theirs is moot).
    previous = func.lag(SurveyResponse.total).over(
        partition_by=SurveyResponse.partnership_id,
        order_by=(SurveyResponse.created_at, SurveyResponse.id))
    stmt = (select(SurveyResponse, SurveyInstrument, previous).join(SurveyInstrument)
            .where(SurveyResponse.user_id == user.id, SurveyInstrument.slug == slug))
    rows, total = page_of(stmt, (SurveyResponse.created_at.desc(), SurveyResponse.id.desc()),
                          page, page_size)
    audit.record_read(user, "survey_response.list", object_type="user", object_id=user.id)
    return [(response, row, scoring.score(instruments.for_scoring(row), response.answers,
                                          tips=tips, previous_total=before, **flag_rules()))
            for response, row, before in rows], total


def own_page(user: User, page: int, page_size: int, slug: str | None = None,
             version: int | None = None):
    """One page of the caller's own responses to any instrument (or to `slug`, and that
    `version`), newest first, each with the instrument version it answered."""
    stmt = (select(SurveyResponse, SurveyInstrument).join(SurveyInstrument)
            .where(SurveyResponse.user_id == user.id))
    if slug is not None:
        stmt = stmt.where(SurveyInstrument.slug == slug)
    if version is not None:
        stmt = stmt.where(SurveyInstrument.version == version)
    rows, total = page_of(stmt, (SurveyResponse.created_at.desc(), SurveyResponse.id.desc()),
                          page, page_size)
    audit.record_read(user, "survey_response.list", object_type="user", object_id=user.id)
    return rows, total


def own_response(user: User, response_id: uuid.UUID):
    """One of the caller's own responses and its instrument version; None for anyone
    else's (the other member's included) or an unknown id."""
    row = db.session.execute(
        select(SurveyResponse, SurveyInstrument).join(SurveyInstrument)
        .where(SurveyResponse.id == response_id, SurveyResponse.user_id == user.id)).first()
    if row is None:
        return None
    audit.record_read(user, "survey_response.read", object_type="survey_response",
                      object_id=response_id)
    return tuple(row)
