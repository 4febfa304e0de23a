"""Give one worker a big caseload, written straight to the tables (seconds, not minutes).

    DATABASE_URL=... .venv/bin/python bench/seed.py WORKER_EMAIL [PARTNERSHIPS] [GOALS]

Defaults: 200 partnerships (each with its own peer) and 4,000 goals spread evenly over
them, plus a few weeks of check-ins so "who is due" has real history to weigh: a third of
the partnerships checked in this week, the rest are due or overdue. Prints one JSON line:
the worker's id and the partnership ids.
"""

import json
import sys
import uuid
from datetime import timedelta

from sqlalchemy import insert, select

from api import create_app
from api.extensions import db
from api.lib.clock import utcnow
from api.models import CheckIn, Goal, Partnership, User


def seed(email: str, partnerships: int, goals: int) -> dict:
    now = utcnow()
    worker = db.session.scalar(select(User).where(User.email == email))
    assert worker is not None, f"no user {email}"
    peers, links, goal_rows, checkins = [], [], [], []
    for n in range(partnerships):
        peer_id, link_id = uuid.uuid4(), uuid.uuid4()
        started = now - timedelta(days=30 + n % 90)
        peers.append({"id": peer_id, "role": "peer", "username": f"bp{link_id.hex[:20]}",
                      "display_name": f"Peer {n}", "password_hash": "!",
                      "created_at": started, "password_changed_at": started})
        links.append({"id": link_id, "worker_id": worker.id, "peer_id": peer_id,
                      "status": "active", "checkin_cadence_days": 7, "created_at": started,
                      "updated_at": started})
        first_goal = None
        for g in range(goals // partnerships + (n < goals % partnerships)):
            goal_id = uuid.uuid4()
            first_goal = first_goal or goal_id
            at = started + timedelta(hours=g)
            goal_rows.append({"id": goal_id, "partnership_id": link_id,
                              "title": f"Goal {g} of partnership {n}",
                              "status": "active" if g % 5 else "achieved",
                              "created_by": worker.id, "created_at": at, "updated_at": at,
                              "version": 1})
        # Weekly check-ins that stop some weeks ago: 0 (this week) to 5 weeks ago.
        last_week = n % 6
        for week in range(last_week, last_week + 4):
            checkins.append({"id": uuid.uuid4(), "goal_id": first_goal,
                             "partnership_id": link_id, "progress": week % 11,
                             "author_id": worker.id,
                             "created_at": now - timedelta(weeks=week, hours=n % 24)})
    for model, rows in ((User, peers), (Partnership, links), (Goal, goal_rows),
                        (CheckIn, checkins)):
        for start in range(0, len(rows), 1000):
            db.session.execute(insert(model), rows[start:start + 1000])
    db.session.commit()
    return {"worker_id": str(worker.id), "partnerships": [str(row["id"]) for row in links],
            "goals": len(goal_rows), "checkins": len(checkins)}


def main() -> None:
    email = sys.argv[1]
    partnerships = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    goals = int(sys.argv[3]) if len(sys.argv) > 3 else 4000
    app = create_app({"LOG_LEVEL": "WARNING"})
    with app.app_context():
        print(json.dumps(seed(email, partnerships, goals)))


if __name__ == "__main__":
    main()
