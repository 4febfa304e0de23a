"""The app's own pages: the phone app and the API docs (frontend), and the embeddable tip
card (embed), the FHIR endpoints (fhir), and
OAuth's own endpoints (oauth)."""

from flask import Flask

from api.web import embed, fhir, frontend, oauth


def init_app(app: Flask) -> None:
    app.register_blueprint(frontend.bp)
    app.register_blueprint(embed.bp)
    app.register_blueprint(fhir.bp)
    app.register_blueprint(oauth.bp)
