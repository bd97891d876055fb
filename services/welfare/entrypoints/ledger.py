"""(to be written)"""


class LedgerEntrypoints:
    pass
