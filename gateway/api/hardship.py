"""(to be written)"""


class HardshipRoutes:
    pass
