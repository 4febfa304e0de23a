"""HTTP resources: one flask-smorest Blueprint per domain."""

from api.resources import (
    agencies,
    agency_content,
    api_keys,
    auth,
    checkins,
    crisis,
    faqs,
    goals,
    handovers,
    health,
    invites,
    me,
    oauth,
    partnerships,
    reminders,
    surveys,
    tip_feeds,
    tips,
    topics,
    webhooks,
)

BLUEPRINTS = (
    tips.blp, faqs.blp, topics.blp, surveys.blp, auth.blp, me.blp, invites.blp, partnerships.blp,
    goals.blp,
    checkins.blp, agencies.blp, agency_content.blp, api_keys.blp, health.blp,
    crisis.blp, tip_feeds.blp, reminders.blp, handovers.blp, oauth.blp, webhooks.blp,
)


def register(api) -> None:
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
