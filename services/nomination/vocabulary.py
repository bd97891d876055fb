"""The nomination service's vocabulary. Plain Python, no framework.

Chinese terms beside the codes the API uses. The candidate's personal
vocabulary (gender, category, employment status, management mode, income
band, hardships, honour level) is the registry's, shared through
``services.chassis.people``: a conferred candidate's record is registered from
``candidate_record`` with the registry's ``NewHonoureeSchema``.
"""
from enum import Enum

from services.chassis.people import (  # noqa: F401 - the shared vocabulary, used from here by nomination
    CATEGORY_FLAGS,
    Category,
    EmploymentStatus,
    Gender,
    Hardship,
    HonourLevel,
    IncomeBand,
    ManagementMode,
)

# --- campaigns and nominations ----------------------------------------------------------------

class Channel(str, Enum):
    ORGANISATIONAL = "organisational"            # 组织推荐（逐级推荐）
    SOCIAL_ORGANISATION = "social_organisation"  # 社会组织举荐
    SELF = "self"                                # 个人自荐


class EntryLevel(str, Enum):
    """Where self- and social-organisation nominations enter (the campaign sets it)."""

    GRASSROOTS = "grassroots"    # a grassroots union (基层工会)
    SECOND_TIER = "second_tier"  # a district/county union or a system union (区县、产业、局、集团、高校工会)
    ORGANISER = "organiser"      # the campaign's organising unit itself (the city federation)


# the registry's tiers (Unit.tier) at each entry level
GRASSROOTS_TIERS = frozenset({"grassroots"})
SECOND_TIERS = frozenset({"district", "industry", "bureau", "group_company", "university"})
DISTRICT_TIER = "district"


class CultivationSource(str, Enum):
    """Why a worker is tracked for development (重点跟踪培养)."""

    SKILL_COMPETITION_CHAMPION = "skill_competition_champion"  # 技能大赛冠军
    CHIEF_EMPLOYEE = "chief_employee"                          # 首席员工
    POST_EXPERT = "post_expert"                                # 岗位能手
    INNOVATION_STUDIO_LEADER = "innovation_studio_leader"      # 劳模创新工作室带头人
    OTHER = "other"


class CultivationStatus(str, Enum):
    TRACKING = "tracking"
    PROMOTED = "promoted"  # put forward in a campaign
    ENDED = "ended"


class ObjectionStatus(str, Enum):
    OPEN = "open"
    UPHELD = "upheld"        # the candidate is withdrawn
    DISMISSED = "dismissed"  # reasons recorded


class NoticeStatus(str, Enum):
    OPEN = "open"
    CLOSED = "closed"


# --- structure ratios (结构比例) ---------------------------------------------------------------

# measure -> (kind of target, the nomination column or category it counts)
MIN_MEASURES = ("front_line", "farmer", "migrant_worker", "non_public_enterprise", "high_tech_enterprise",
                "intermediary_organisation")
MAX_MEASURES = ("leader_cadre",)
MEASURES = MIN_MEASURES + MAX_MEASURES
# the candidate flags a nomination keeps (farmer is the category)
CANDIDATE_FLAGS = CATEGORY_FLAGS
NOMINATION_FLAGS = CANDIDATE_FLAGS + ("leader_cadre", "intermediary_organisation")
# workers, farmers and intellectuals must be the body of the team (主体): reported, never a target
BODY_CATEGORIES = (Category.WORKER.value, Category.FARMER.value, Category.INTELLECTUAL.value)


def target_key(measure):
    return f"{measure}_max" if measure in MAX_MEASURES else f"{measure}_min"
