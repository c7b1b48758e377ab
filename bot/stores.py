"""The conversation store: Rasa's SQL tracker store on SQLite, in write-ahead-log mode.

Why: with SQLite's default rollback journal every saved turn waits for the disk twice
(journal and database). In WAL mode with `synchronous=NORMAL` a turn is one append to the
log, readers never block the writer, and a crash of the bot still loses nothing that was
committed; only a power cut can lose the last turns. This is SQLite's own recommended
setting for an application database.
"""
from __future__ import annotations

from typing import Any, Optional, Text

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from sqlalchemy import event

PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=5000")


def _configure_connection(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


class SQLiteTrackerStore(SQLTrackerStore):
    """Named in endpoints.yml as `type: bot.stores.SQLiteTrackerStore`."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        db: Text = "rasa.db",
        event_broker: Optional[EventBroker] = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("dialect", None)
        kwargs.pop("host", None)
        super().__init__(domain=domain, dialect="sqlite", db=db, event_broker=event_broker, **kwargs)
        event.listen(self.engine, "connect", _configure_connection)
        self.engine.dispose()  # connections opened while creating tables predate the listener
