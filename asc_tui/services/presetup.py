"""Which pre-setup tasks the admin has ticked, kept in the registry."""

from __future__ import annotations

from asc_tui.domain.presetup_tasks import PRE_SETUP_TASKS
from asc_tui.storage.database import Database
from asc_tui.storage.models import Preference

_PREFIX = "presetup."


class PreSetupService:
    def __init__(self, database: Database) -> None:
        self._db = database

    def done(self) -> set[str]:
        from sqlmodel import col, select

        with self._db.session() as session:
            rows = session.exec(select(Preference).where(col(Preference.key).startswith(_PREFIX))).all()
            return {row.key.removeprefix(_PREFIX) for row in rows if row.value == "done"}

    def set_done(self, key: str, done: bool) -> None:
        if key not in {task.key for task in PRE_SETUP_TASKS}:
            raise KeyError(key)
        from sqlalchemy.exc import IntegrityError
        from sqlmodel import col, delete

        # Idempotent, so two admins ticking (or unticking) the same task at once both succeed.
        with self._db.session() as session:
            session.exec(delete(Preference).where(col(Preference.key) == _PREFIX + key))
            if done:
                session.add(Preference(key=_PREFIX + key, value="done"))
            try:
                session.commit()
            except IntegrityError:  # the other admin's tick landed first: the task is ticked
                session.rollback()
