"""SQLAlchemy models; importing this package registers every table with the metadata."""

from api.models.accounts import (
    Agency,
    AgencyJoinCode,
    AuditEvent,
    AuthSession,
    Invite,
    Partnership,
    User,
)
from api.models.content import Faq, FaqTranslation, Tip, TipTag, TipTranslation
from api.models.goals import Celebration, CheckIn, Goal, GoalEvent, IdempotencyRecord, Milestone

__all__ = [
    "Agency", "AgencyJoinCode", "AuditEvent", "AuthSession", "Celebration", "CheckIn", "Faq",
    "FaqTranslation", "Goal", "GoalEvent", "IdempotencyRecord", "Invite", "Milestone",
    "Partnership", "Tip", "TipTag", "TipTranslation", "User",
]
