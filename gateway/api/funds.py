"""(to be written)"""


class FundRoutes:
    pass
