from alembic import context

from services.chassis.migrations import run_env
from services.association.models import Base

run_env(context, Base.metadata)
