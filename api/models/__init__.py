"""SQLAlchemy models; importing this package registers every table with the metadata."""

from api.models.accounts import (
    Agency,
    AgencyJoinCode,
    AuditEvent,
    AuthSession,
    Invite,
    Partnership,
    PartnershipHandover,
    User,
)
from api.models.content import (
    ContentVersion,
    Faq,
    FaqTranslation,
    Tip,
    TipTag,
    TipTranslation,
    Topic,
    TopicTag,
    TopicTranslation,
)
from api.models.goals import (
    CalendarFeed,
    Celebration,
    CheckIn,
    Goal,
    GoalEvent,
    IdempotencyRecord,
    Milestone,
    PartnershipPause,
)
from api.models.integrations import ApiKey, CrisisResource
from api.models.oauth import OAuthClient, OAuthCode, OAuthGrant, OAuthToken
from api.models.reminders import Notification, PushSubscription
from api.models.surveys import InsightRelease, SurveyInstrument, SurveyResponse
from api.models.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "ContentVersion",
    "Agency", "AgencyJoinCode", "ApiKey", "AuditEvent", "AuthSession", "CalendarFeed",
    "Celebration", "CheckIn", "CrisisResource", "Faq", "FaqTranslation", "Goal", "GoalEvent",
    "IdempotencyRecord", "InsightRelease", "Invite",
    "Milestone", "Notification", "OAuthClient", "OAuthCode", "OAuthGrant", "OAuthToken",
    "Partnership", "PartnershipHandover",
    "PushSubscription", "PartnershipPause", "SurveyInstrument", "SurveyResponse", "Tip",
    "TipTag", "TipTranslation", "Topic", "TopicTag", "TopicTranslation", "User",
    "WebhookDelivery", "WebhookEndpoint",
]
