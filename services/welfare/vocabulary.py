"""The welfare service's words: kinds of fund, what money may be spent on, kinds of posting.
Plain Python; Chinese terms beside the codes the API uses."""
from enum import Enum


class FundKind(str, Enum):
    CITY_SPECIAL = "city_special"      # 劳模专项经费 (the federation's)
    DISTRICT_AID = "district_aid"      # 劳模帮扶专项资金 (a district's or an industry's)
    ENTERPRISE_AID = "enterprise_aid"  # 劳模帮扶专项资金 (a large employer's)
    MUTUAL_AID = "mutual_aid"          # 劳模互助专项基金 (at the Beijing Warm Foundation 北京温暖基金会)


class Purpose(str, Enum):
    """What a fund may pay for (专款专用): each fund names its own."""

    CONDOLENCE = "condolence"          # 慰问 (Spring Festival condolence money)
    HARDSHIP_AID = "hardship_aid"      # 困难帮扶
    RECUPERATION = "recuperation"      # 疗休养
    HEALTH_CHECK = "health_check"      # 体检
    SICK_VISIT = "sick_visit"          # 看望生病劳模
    ACTIVITY = "activity"              # 活动
    SERVICE_CARD = "service_card"      # 劳模服务卡
    PUBLIC_WELFARE = "public_welfare"  # 公益项目 (the volunteer corps' projects)


class PostingKind(str, Enum):
    APPROPRIATION = "appropriation"  # 拨款: money into the fund from its budget source
    DONATION = "donation"            # 捐赠: money into the fund from a donor
    COMMITMENT = "commitment"        # 预留: money set aside for a payment (pending)
    DISBURSEMENT = "disbursement"    # 支付: money paid out (directly, or posting a commitment)
    VOID = "void"                    # 撤销预留: a commitment released unpaid
    REVERSAL = "reversal"            # 冲正: a posted posting undone by its mirror image


INTO_FUND = (PostingKind.APPROPRIATION, PostingKind.DONATION)
SPENDING = (PostingKind.COMMITMENT, PostingKind.DISBURSEMENT)
