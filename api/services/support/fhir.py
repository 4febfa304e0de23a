"""Shared goals as FHIR R4 Goal resources (plain JSON; the fhir.resources R4B models check
them in the tests).

- lifecycleStatus from Rapport's status: active → active, paused → on-hold, achieved →
  completed (achievementStatus achieved), let_go → cancelled. An active goal is in progress.
- description.text is the goal's title: whoever reads this was granted goals:read.
- target: the goal's own target date, then one entry per milestone (its title as the
  measure, wanted done, by its due date; a done one carries MILESTONE_DONE with the time).
- People are named by id only (api.lib.fhir.person): the peer is the subject, whoever set
  the goal expressed it. The `why` is the goal's note.
"""

from api.lib import fhir
from api.lib.clock import iso

LIFECYCLE = {"active": "active", "paused": "on-hold", "achieved": "completed",
             "let_go": "cancelled"}
# FHIR's whole value set (goal-status): a search may name any of them; those Rapport has no
# goal in simply match nothing.
LIFECYCLE_CODES = ("proposed", "planned", "accepted", "active", "on-hold", "completed",
                   "cancelled", "entered-in-error", "rejected")
ACHIEVEMENT_SYSTEM = "http://terminology.hl7.org/CodeSystem/goal-achievement"
ACHIEVEMENT = {"active": ("in-progress", "In Progress"), "achieved": ("achieved", "Achieved")}
# Words taken back when their writer erased their account (models.goals.WordsRemovable).
MASKED = {"url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason",
          "valueCode": "masked"}

CAPABILITY = {
    "type": "Goal",
    "interaction": [{"code": "read"}, {"code": "search-type"}],
    "searchParam": [{"name": "lifecycle-status", "type": "token",
                     "documentation": "One or more of active, on-hold, completed, "
                                      "cancelled (comma-separated: any of them)."},
                    {"name": "_count", "type": "number",
                     "documentation": "Entries per page, 1 to 100 (20 by default); the "
                                      "Bundle's links page through the rest."}],
    "documentation": "The goals of every partnership the caller is a member of. Scope "
                     "goals:read. Each read is in the partnership's access log, naming the "
                     "app.",
}


def milestone_done_url(base_url: str) -> str:
    return f"{base_url}/StructureDefinition/milestone-done"


def statuses_for(codes: list[str]) -> list[str]:
    """Rapport's statuses that these lifecycle codes stand for."""
    return [status for status, code in LIFECYCLE.items() if code in codes]


def _words(text: str) -> dict:
    return {"text": text} if text else {"extension": [MASKED]}


def _milestone_target(milestone, base_url: str) -> dict:
    target = {"id": str(milestone.id), "measure": _words(milestone.title),
              "detailBoolean": True}
    if milestone.due_date:
        target["dueDate"] = milestone.due_date.isoformat()
    if milestone.done:
        target["extension"] = [{"url": milestone_done_url(base_url),
                                "valueDateTime": iso(milestone.done_at)}]
    return target


def goal(goal, partnership, milestones, status_changed, base_url: str) -> dict:
    """The goal as FHIR sees it; `status_changed`: when its status last changed."""
    resource = {
        "resourceType": "Goal",
        "id": str(goal.id),
        "meta": {"versionId": str(goal.version), "lastUpdated": iso(goal.updated_at)},
        "lifecycleStatus": LIFECYCLE[goal.status],
        "description": _words(goal.title),
        "subject": fhir.person("Patient", partnership.peer_id),
        "startDate": goal.created_at.date().isoformat(),
        "statusDate": (status_changed or goal.created_at).date().isoformat(),
        "expressedBy": fhir.person(
            "Patient" if goal.created_by == partnership.peer_id else "Practitioner",
            goal.created_by),
    }
    if goal.status in ACHIEVEMENT:
        code, display = ACHIEVEMENT[goal.status]
        resource["achievementStatus"] = {"coding": [
            {"system": ACHIEVEMENT_SYSTEM, "code": code, "display": display}]}
    targets = [{"dueDate": goal.target_date.isoformat()}] if goal.target_date else []
    targets += [_milestone_target(milestone, base_url) for milestone in milestones]
    if targets:
        resource["target"] = targets
    if goal.why:
        resource["note"] = [{"text": goal.why}]
    return resource
