"""(to be written)"""


class RecuperationRoutes:
    pass
