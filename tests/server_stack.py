"""Starts the real servers for tests on free loopback ports, with a private tracker database."""
from __future__ import annotations

import json
import sqlite3
import urllib.request
from pathlib import Path
from typing import Any, Dict, List

from bot import paths
from bot.run import Stack, free_port


def make_stack(tmp: Path) -> Stack:
    from bot.train import train

    return Stack(free_port(), free_port(), tmp / "tracker.db", tmp / "logs", train())


def post_json(url: str, body: Any, timeout: float = 60) -> tuple[int, Any]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def say(stack: Stack, sender: str, message: str) -> List[Dict[str, Any]]:
    status, replies = post_json(stack.rest_url, {"sender": sender, "message": message})
    assert status == 200, replies
    return replies


def user_texts(db: Path, sender: str) -> List[str]:
    """What the tracker store in SQLite holds as user messages for one sender."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id", (sender,)
        ).fetchall()
    return [json.loads(row[0]).get("text") for row in rows]
