"""The consumer's entry: `huey_consumer api.worker.queue` (scripts/worker.py runs it).

Importing this makes the app, as the server does, so the queue has its storage and every
job has the app's settings and database."""

from api import create_app
from api.jobs import queue

app = create_app()

__all__ = ["app", "queue"]
