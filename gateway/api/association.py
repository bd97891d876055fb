"""(to be written)"""


class AssociationRoutes:
    pass
