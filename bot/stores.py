"""The conversation store: Rasa's SQL tracker store on SQLite, in write-ahead-log mode.

Why: with SQLite's default rollback journal every saved turn waits for the disk twice
(journal and database). In WAL mode with `synchronous=NORMAL` a turn is one append to the
log, readers never block the writer, and a crash of the bot still loses nothing that was
committed; only a power cut can lose the last turns. This is SQLite's own recommended
setting for an application database. Rasa's store also opens and closes a file
connection for every read and write (SQLAlchemy 1.4's default for SQLite files); closing
the last connection checkpoints the log, so the connections are kept in a pool instead.
Together these made a turn's save about three times cheaper (py-spy, `make bench`).
"""
from __future__ import annotations

from typing import Any, Optional, Text

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from sqlalchemy import event
from sqlalchemy.pool import QueuePool

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
        url = self.engine.url
        self.engine.dispose()
        # Rasa's own engine has already created the tables; the pooled engine replaces it.
        self.engine = sa.create_engine(
            url, poolclass=QueuePool, pool_size=2, max_overflow=8,
            connect_args={"check_same_thread": False},
        )
        event.listen(self.engine, "connect", _configure_connection)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
