"""(to be written)"""


class CardEntrypoints:
    pass
