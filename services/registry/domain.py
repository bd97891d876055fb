"""The union tree (工会组织): tiers and where a unit may hang. Plain Python.

Two trees overlap. Every unit but the city federation has one parent; a
grassroots union may also belong to a system (产业/局/集团/高校工会) as its
second parent. A unit's scope is itself and everything below it in either
tree: that is what a caller acting for the unit may see.
"""
from enum import Enum


class Tier(str, Enum):
    CITY = "city"                  # 市总工会
    DISTRICT = "district"          # 区县总工会 (and the development area's)
    INDUSTRY = "industry"          # 产业工会
    BUREAU = "bureau"              # 局工会
    GROUP_COMPANY = "group_company"  # 集团公司工会
    UNIVERSITY = "university"      # 高校工会
    GRASSROOTS = "grassroots"      # 基层工会

    @property
    def is_system(self):
        return self in SYSTEM_TIERS

    @property
    def is_second_tier(self):
        return self in SECOND_TIERS


SYSTEM_TIERS = frozenset({Tier.INDUSTRY, Tier.BUREAU, Tier.GROUP_COMPANY, Tier.UNIVERSITY})
SECOND_TIERS = SYSTEM_TIERS | {Tier.DISTRICT}

# the tiers a unit of each tier may hang under (its first parent)
ALLOWED_PARENTS = {
    Tier.CITY: frozenset(),
    Tier.DISTRICT: frozenset({Tier.CITY}),
    Tier.INDUSTRY: frozenset({Tier.CITY}),
    Tier.BUREAU: frozenset({Tier.CITY}),
    Tier.GROUP_COMPANY: frozenset({Tier.CITY, Tier.BUREAU, Tier.INDUSTRY}),
    Tier.UNIVERSITY: frozenset({Tier.CITY}),
    # directly affiliated grassroots unions (直属基层工会) hang under the city
    Tier.GRASSROOTS: frozenset({Tier.CITY}) | SECOND_TIERS,
}


def placement_errors(tier, parent_tier, system_parent_tier, parent_id, system_parent_id):
    """Field errors for placing a unit of ``tier``; an empty dict when the placement is sound."""
    errors = {}
    allowed = ALLOWED_PARENTS[tier]
    if not allowed:
        if parent_id is not None:
            errors["parent_id"] = "the city federation has no parent"
    elif parent_id is None:
        errors["parent_id"] = "required for a unit below the city federation"
    elif parent_tier is None:
        errors["parent_id"] = f"no unit {parent_id!r}"
    elif parent_tier not in allowed:
        names = ", ".join(sorted(t.value for t in allowed))
        errors["parent_id"] = f"a {tier.value} unit hangs under a unit of tier {names}, not {parent_tier.value}"
    if system_parent_id is not None:
        if tier is not Tier.GRASSROOTS:
            errors["system_parent_id"] = "only a grassroots union belongs to a second (system) parent"
        elif system_parent_tier is None:
            errors["system_parent_id"] = f"no unit {system_parent_id!r}"
        elif not system_parent_tier.is_system:
            errors["system_parent_id"] = "the second parent must be an industry, bureau, group-company or university union"
        elif system_parent_id == parent_id:
            errors["system_parent_id"] = "the second parent must differ from the first"
    return errors
