"""The database under every request: SQLAlchemy and its migrations, SQLite's locking
(sqlite), knowing when the database is out of reach (outage), idempotency keys and their
kept answers (idempotency_keys), and one unit of work per request (unit_of_work, whose
boundary goes round the views once they are registered)."""

from pathlib import Path

from flask import Flask

from api.db import outage, sqlite
from api.extensions import db, migrate

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"


def init_app(app: Flask) -> None:
    outage.listen()
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            sqlite.listen(engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
