"""Which roles may use which kind of route: the one table the routes and the tests share.

Scope is separate: whatever the role, a caller acts only for its own unit and the units
below it, and a record outside that answers 404.
"""
from services.chassis.actor import ROLES

ANYONE = ROLES                        # any signed-in account: read the records in scope
OFFICERS = ("officer",)               # enter and maintain records (录入、维护)
REVIEWERS = ("reviewer",)             # endorse and decide revocations (审核)
EXPORTERS = ("officer", "auditor")    # take a CSV of the records in scope
FINANCE = ("finance",)                # move money: appropriations, donations, payments (财务)
LEDGER_READERS = ("finance", "auditor")  # read funds, statements and postings
AUDITORS = ("auditor", "admin")       # read the audit trail
ADMINS = ("admin",)                   # manage accounts
