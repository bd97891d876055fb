"""(to be written)"""


class HealthRoutes:
    pass
