"""The attack on agency insights, replayed.

An agency admin made a join code, signed up 4 fake workers, had each invite a fake peer,
and had all of them answer with zeros. The group reached 5, and subtracting the known zeros
gave back exactly the real worker's 11 self-check answers and the real peer's session-check,
the one the peer had chosen to keep from everyone ("aggregate_only"). Two date ranges that
differed by one person leaked the same way.

Now: fixed closed periods only, released once and kept, with OpenDP noise. The HTTP replay
shows what the admin gets; the simulation runs the attacker's best subtraction over many
releases made by the same code and compares it with guessing. Print the figures with

    .venv/bin/python -m tests.attacks.test_insights_differencing 2000
"""

import random
import sys
import tomllib
from dataclasses import dataclass

from api.lib.content_files import CONTENT_DIR
from api.services.surveys import dp_release, insights
from tests.helpers import assert_problem
from tests.resources.test_insights import backdate, last_month, read, url
from tests.resources.test_self_check_results import PRACTICES, people_in_agency_a, session_check

TRIALS = 200  # in the suite; the figures in the README come from 2,000


@dataclass(frozen=True)
class Survey:
    """An instrument as the release code reads it (from its TOML, no database needed)."""

    definition: dict
    scale_min: int
    scale_max: int

    @classmethod
    def load(cls, slug: str) -> "Survey":
        with (CONTENT_DIR / "surveys" / f"{slug}.v1.toml").open("rb") as handle:
            data = tomllib.load(handle)
        return cls({"items": data["items"]}, data["scale"]["min"], data["scale"]["max"])

    @property
    def dimensions(self) -> list[str]:
        return [d for d in ("relationship", "goals", "approach", "overall")
                if any(item["dimension"] == d for item in self.definition["items"])]


def exact_release(people, dimensions, weights, epsilon, **_):
    """What the old code released: exact means. The same attack must win against it."""
    means = [dp_release.Figure(sum(p[d] for p in people) / len(people), 0, 0)
             for d in range(dimensions)]
    return dp_release.Release(dp_release.Count(len(people), 0, 0), means, means[0], 0)


def attack(slug: str, trials: int, release=dp_release.release) -> dict:
    """The admin's best subtraction, `trials` times. How often it finds each of the target's
    answers exactly, and each dimension score to within half a step of the scale, against
    guessing the middle of the scale for both."""
    survey = Survey.load(slug)
    items, dimensions = survey.definition["items"], survey.dimensions
    weights = [sum(1 for i in items if i["dimension"] == d) for d in dimensions]
    low, high = survey.scale_min, survey.scale_max
    half_step = 100 / (high - low) / 2
    fakes = [insights.person_scores({i["id"]: low for i in items}, survey, dimensions)] * 4
    hits = {"answers": 0, "answers_guessed": 0, "scores": 0, "scores_guessed": 0}
    for _ in range(trials):
        target = {i["id"]: random.randint(low, high) for i in items}  # noqa: S311
        scores = insights.person_scores(target, survey, dimensions)
        estimate = [0.0] * len(dimensions)
        # The month's release and the quarter's both hold the target: average the two.
        for _ in range(2):
            figures = release(fakes + [scores], len(dimensions), weights, 1.0,
                              count_share=insights.COUNT_SHARE, interval=0.9, draws=2)
            for d, figure in enumerate(figures.dimensions):
                known = sum(fake[d] for fake in fakes)
                estimate[d] += min(100, max(0, 5 * figure.estimate - known)) / 2
        for d, score in enumerate(scores):
            hits["scores"] += abs(estimate[d] - score) <= half_step
            hits["scores_guessed"] += abs(50 - score) <= half_step
        for item in items:
            score = estimate[dimensions.index(item["dimension"])]
            hits["answers"] += round(low + score / 100 * (high - low)) == target[item["id"]]
            hits["answers_guessed"] += round((low + high) / 2) == target[item["id"]]
    return {name: count / (trials * (len(items) if name.startswith("answers")
                                     else len(dimensions)))
            for name, count in hits.items()}


def test_the_attack_recovers_answers_no_better_than_guessing():
    for slug in ("rapport-self-check", "session-check"):
        odds = attack(slug, TRIALS)
        # 2,000 trials gave figures within 2 points of guessing (README); 5 points is far
        # outside what 200 trials wander.
        assert odds["answers"] <= odds["answers_guessed"] + 0.05, (slug, odds)
        assert odds["scores"] <= odds["scores_guessed"] + 0.05, (slug, odds)
        # Without noise, the same subtraction gives every score back.
        assert attack(slug, 20, exact_release)["scores"] == 1.0, slug


def test_the_admin_gets_noisy_groups_fixed_periods_and_the_same_answer_twice(
        app, client, world):
    fakes = people_in_agency_a(app, world, 4)
    answers = [{"item": item, "value": 0} for item in PRACTICES]
    for worker, peer, partnership in fakes:
        assert client.post("/api/v1/surveys/rapport-self-check/responses",
                           json={"answers": answers}, headers=worker.headers).status_code == 201
        session_check(client, peer, partnership, 0, 0, 0, 0, "aggregate_only")
    real = [{"item": item, "value": 4 if n % 2 else 1} for n, item in enumerate(PRACTICES)]
    assert client.post("/api/v1/surveys/rapport-self-check/responses", json={"answers": real},
                       headers=world["worker_a"].headers).status_code == 201
    session_check(client, world["peer_a"], world.partnership_a, 3, 9, 2, 7, "aggregate_only")
    backdate(app, world["worker_a"].id, world["peer_a"].id,
             *[person.id for worker, peer, _ in fakes for person in (worker, peer)])

    released = read(client, world)
    assert released["period"] == last_month().key
    for survey in released["surveys"]:
        assert "items" not in survey  # no single answer is ever released
        assert survey["respondents"]["low"] <= survey["respondents"]["high"]
    # Asking again cannot average the noise away: the same figures come back.
    assert read(client, world) == released
    # Nor can two ranges that differ by one chosen day (or person).
    last = last_month()
    for query in ({"from": last.start.isoformat(), "to": last.end.isoformat()},
                  {"period": f"{last.start.isoformat()}"}):
        assert_problem(client.get(url(world), query_string=query,
                                  headers=world["admin_a"].headers), 422)


if __name__ == "__main__":
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    for slug in ("rapport-self-check", "session-check"):
        odds, exact = attack(slug, trials), attack(slug, 20, exact_release)
        print(f"{slug}, {trials} simulated targets, each in a month's and a quarter's release:"
              f"\n  answers found exactly: {odds['answers']:.1%} "
              f"(guessing the middle: {odds['answers_guessed']:.1%})"
              f"\n  dimension scores found to half a step: {odds['scores']:.1%} "
              f"(guessing: {odds['scores_guessed']:.1%}; with no noise: {exact['scores']:.0%})")
