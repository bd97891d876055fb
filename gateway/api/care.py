"""(to be written)"""


class CareRoutes:
    pass
