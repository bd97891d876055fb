"""(to be written)"""


class VolunteerRoutes:
    pass
