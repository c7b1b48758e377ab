"""The conversation store: Rasa's SQL tracker store on SQLite, in write-ahead-log mode.

Why: with SQLite's default rollback journal every saved turn waits for the disk twice
(journal and database). In WAL mode with `synchronous=NORMAL` a turn is one append to the
log, readers never block the writer, and a crash of the bot still loses nothing that was
committed; only a power cut can lose the last turns. This is SQLite's own recommended
setting for an application database. Rasa's store also opens and closes a file
connection for every read and write (SQLAlchemy 1.4's default for SQLite files); closing
the last connection checkpoints the log, so the connections are kept in a pool instead.
Together these made a turn's save about three times cheaper (py-spy, `make bench`).

Reads and writes also bypass SQLAlchemy's ORM. Rasa builds its "events since the latest
session start" query as an ORM query with a subquery, and SQLAlchemy recomputes that
query's cache key on every call (a deep recursive walk of the expression): with the ORM
bookkeeping around it this was about a fifth of the Rasa process's time for one answered
question (py-spy during `make bench`; a new conversation retrieves once and saves twice,
and every save first counts the stored events). Here the same SQL that SQLAlchemy
generates for Rasa's query is written out once and run on the pooled DB-API connection.
Same table, same rows, same JSON in `data`, same ordering; only the Python around it is
cheaper. `tests/bot/test_rasa_runtime.py` compares both stores on the same database.
"""
from __future__ import annotations

import itertools
import json
import logging
from typing import Any, List, Optional, Text

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import event
from sqlalchemy.pool import QueuePool

logger = logging.getLogger(__name__)

PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=5000")

# The table Rasa's SQLTrackerStore creates; the SQL below is written for exactly these columns.
TABLE = "events"
COLUMNS = ("id", "sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")

# What SQLAlchemy generates for Rasa's `SQLTrackerStore._event_query` (Rasa 3.6, SQLAlchemy
# 1.4): the events of one sender since its latest `session_started` event (or all of them
# if it has none), in insertion order.
_SINCE_SESSION_START = (
    "FROM events, (SELECT max(events.timestamp) AS session_start FROM events "
    "WHERE events.sender_id = ? AND events.type_name = ?) AS anon_1 "
    "WHERE events.sender_id = ? "
    "AND (events.timestamp >= anon_1.session_start OR anon_1.session_start IS NULL)"
)
SELECT_LATEST_SESSION = f"SELECT events.data {_SINCE_SESSION_START} ORDER BY events.id"
COUNT_LATEST_SESSION = f"SELECT count(*) {_SINCE_SESSION_START}"
SELECT_ALL_SESSIONS = "SELECT events.data FROM events WHERE events.sender_id = ? ORDER BY events.id"
INSERT_EVENT = (
    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)


def _configure_connection(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def check_rasa_schema() -> None:
    """Fail at start-up, not at the first message, if Rasa's events table is not the one the SQL expects."""
    table = SQLTrackerStore.SQLEvent.__table__
    if table.name != TABLE or tuple(table.c.keys()) != COLUMNS:
        raise RuntimeError(
            f"bot.stores: Rasa's SQLTrackerStore table is {table.name}{tuple(table.c.keys())}, "
            f"expected {TABLE}{COLUMNS}; update the SQL in bot/stores.py for this Rasa version."
        )


class SQLiteTrackerStore(SQLTrackerStore):
    """Named in endpoints.yml as `type: bot.stores.SQLiteTrackerStore`."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        db: Text = "rasa.db",
        event_broker: Optional[EventBroker] = None,
        **kwargs: Any,
    ) -> None:
        check_rasa_schema()
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

    def _query(self, sql: str, params: tuple) -> List[Any]:
        """Rows of one read on a pooled connection (returned to the pool, rolled back, afterwards)."""
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            try:
                return cursor.execute(sql, params).fetchall()
            finally:
                cursor.close()
        finally:
            connection.close()

    async def _retrieve(
        self, sender_id: Text, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        """Same result as `SQLTrackerStore._retrieve`, read with the prepared SQL."""
        if fetch_events_from_all_sessions:
            rows = self._query(SELECT_ALL_SESSIONS, (sender_id,))
        else:
            rows = self._query(SELECT_LATEST_SESSION, (sender_id, SessionStarted.type_name, sender_id))
        events = [json.loads(data) for (data,) in rows]
        if self.domain and len(events) > 0:
            logger.debug(f"Recreating tracker from sender id '{sender_id}'")
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        logger.debug(
            f"Can't retrieve tracker matching sender id '{sender_id}' from SQL storage. "
            f"Returning `None` instead."
        )
        return None

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Same rows as `SQLTrackerStore.save`: the tracker's events not yet stored, in one commit."""
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            try:
                (stored,) = cursor.execute(
                    COUNT_LATEST_SESSION, (sender_id, SessionStarted.type_name, sender_id)
                ).fetchone()
                rows = []
                for tracker_event in itertools.islice(tracker.events, stored, len(tracker.events)):
                    data = tracker_event.as_dict()
                    intent = data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY)
                    rows.append((
                        sender_id, tracker_event.type_name, data.get("timestamp"), intent,
                        data.get("name"), json.dumps(data),
                    ))
                if rows:
                    cursor.executemany(INSERT_EVENT, rows)
                connection.commit()
            finally:
                cursor.close()
        finally:
            connection.close()
        logger.debug(f"Tracker with sender_id '{sender_id}' stored to database")
