"""Records the volunteer tests make through the service's entrypoints (not a test module)."""
import itertools

_serial = itertools.count(1)
ACTIVE = [{"level": "municipal", "status": "active"}]


def team(volunteer, actor, unit_id, **extra):
    return volunteer.create_team(actor, {"name": f"服务队{next(_serial)}", "kind": "district", "unit_id": unit_id,
                                         "admits_public": True, **extra})


def member(volunteer, actor, team_id, honouree_id=None, registry=None, unit_id="hd-bank", skills=()):
    """An active volunteer of the team: the honouree (added to the registry if given) or another person."""
    if honouree_id is None:
        return volunteer.enrol_volunteer(actor, {"team_id": team_id, "name": f"志愿者{next(_serial)}",
                                                 "skills": list(skills)})
    if registry is not None and honouree_id not in registry.honourees:
        registry.add_honouree(honouree_id, unit_id, name=f"劳模{honouree_id}", honours=ACTIVE)
    return volunteer.enrol_volunteer(actor, {"team_id": team_id, "honouree_id": honouree_id, "skills": list(skills)})


def activity(volunteer, actor, unit_id, starts="2026-02-01T09:00:00+08:00", ends="2026-02-01T11:00:00+08:00",
             capacity=2, publish=True, **extra):
    made = volunteer.create_activity(actor, {
        "title": f"劳模进社区{next(_serial)}", "category": "community_talk", "organiser_unit_id": unit_id,
        "place": "海淀区某社区活动中心", "starts_at": starts, "ends_at": ends, "capacity": capacity, **extra})
    return volunteer.publish_activity(actor, made["id"]) if publish else made
