"""(to be written)"""


class CardRoutes:
    pass
