"""HTTP resources: one flask-smorest Blueprint per domain."""

from api.resources import faqs, health, tips

BLUEPRINTS = (tips.blp, faqs.blp, health.blp)


def register(api) -> None:
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
