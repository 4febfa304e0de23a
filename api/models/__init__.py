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

__all__ = [
    "Agency", "AgencyJoinCode", "AuditEvent", "AuthSession", "Faq", "FaqTranslation",
    "Invite", "Partnership", "Tip", "TipTag", "TipTranslation", "User",
]
