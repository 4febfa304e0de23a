"""HTTP resources: one flask-smorest Blueprint per domain."""

from api.resources import (
    agencies,
    auth,
    checkins,
    faqs,
    goals,
    health,
    invites,
    me,
    partnerships,
    surveys,
    tips,
)

BLUEPRINTS = (
    tips.blp, faqs.blp, surveys.blp, auth.blp, me.blp, invites.blp, partnerships.blp,
    goals.blp,
    checkins.blp, agencies.blp, health.blp,
)


def register(api) -> None:
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
