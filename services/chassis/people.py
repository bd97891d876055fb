"""The vocabulary of a person's record that more than one service speaks: the registry keeps the
records, nomination collects the same fields for a new candidate. Plain Python, no framework;
Chinese terms beside the codes the API uses."""
from enum import Enum

from .errors import Conflict


class Gender(str, Enum):
    MALE = "male"
    FEMALE = "female"


class Category(str, Enum):
    WORKER = "worker"              # 工人
    FARMER = "farmer"              # 农民
    INTELLECTUAL = "intellectual"  # 知识分子
    CADRE = "cadre"                # 干部/领导


class EmploymentStatus(str, Enum):
    IN_SERVICE = "in_service"          # 在职
    RETIRED = "retired"                # 退休
    LEFT_EMPLOYER = "left_employer"    # 离开原单位
    DECEASED = "deceased"              # 去世


class ManagementMode(str, Enum):
    BY_UNIT = "by_unit"            # 单位管理
    TERRITORIAL = "territorial"    # 属地管理
    BY_SYSTEM = "by_system"        # 归口管理


class IncomeBand(str, Enum):
    LOW = "low"                    # 低收入
    LOWER_MIDDLE = "lower_middle"
    MIDDLE = "middle"
    UPPER = "upper"


class Hardship(str, Enum):
    LOW_INCOME = "low_income"              # 低收入
    SPECIAL_HARDSHIP = "special_hardship"  # 特殊困难
    SUDDEN_HARDSHIP = "sudden_hardship"    # 突发困难


class HonourLevel(str, Enum):
    NATIONAL = "national"
    MUNICIPAL = "municipal"
    DISTRICT = "district"


CATEGORY_FLAGS = ("front_line", "migrant_worker", "non_public_enterprise", "high_tech_enterprise")


def must_be_eligible(row, what):
    """A row of the registry's roster that is eligible (a living honouree holding an active honour);
    else a 409 saying ``what`` cannot be done and naming what is missing (``alive``, ``active_honour``)."""
    if row["eligible"]:
        return
    if row["employment_status"] == EmploymentStatus.DECEASED.value:
        why, missing = "the honouree is deceased", "alive"
    else:
        why, missing = "the honouree holds no active honour", "active_honour"
    raise Conflict(f"{what}: {why}", {"honouree_id": row["honouree_id"], "missing": missing})
