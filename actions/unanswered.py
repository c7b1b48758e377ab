"""Keeps the questions the bot could not answer, so the förbund can fill the gaps.

Each line of the log is JSON with the time, the reason and the redacted question; the
sender id is hashed so that lines of one conversation can be grouped without naming anyone.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path

from actions.redact import redact

LOG_ENV = "BOT_UNANSWERED_LOG"
DEFAULT_LOG = Path(__file__).resolve().parent.parent / "var" / "unanswered.jsonl"
_lock = threading.Lock()


def log_path() -> Path:
    return Path(os.environ.get(LOG_ENV, DEFAULT_LOG))


def log_unanswered(question: str, sender_id: str, reason: str) -> None:
    """Append one redacted entry; a failure to write must never break the conversation."""
    entry = {
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "reason": reason,
        "conversation": hashlib.sha256(sender_id.encode("utf-8")).hexdigest()[:12],
        "question": redact(question or "")[:1000],
    }
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _lock, path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
    except OSError:
        pass
