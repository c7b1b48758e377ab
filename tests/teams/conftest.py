"""Fixtures for the Teams channel: a fake Bot Framework, and a Rasa stack pointed at it."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator

import pytest

from bot.run import Stack
from tests.server_stack import make_stack
from tests.teams.fake_botframework import APP_ID, APP_PASSWORD, FakeBotFramework


@pytest.fixture(scope="session")
def fake_bf() -> Iterator[FakeBotFramework]:
    fake = FakeBotFramework().start()
    yield fake
    fake.stop()


def channel_env(fake: FakeBotFramework) -> Dict[str, str]:
    """What an operator would set, but pointing at the fake instead of Microsoft."""
    return {
        "MICROSOFT_APP_ID": APP_ID,
        "MICROSOFT_APP_PASSWORD": APP_PASSWORD,
        "TEAMS_OPENID_METADATA_URL": fake.openid_url,
        "TEAMS_TOKEN_URL": fake.token_url,
        "TEAMS_API_BASE": fake.url,
    }


@contextmanager
def patched_environ(values: Dict[str, str]) -> Iterator[None]:
    """The Stack hands os.environ to its children when it spawns them; restore it afterwards."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(scope="session")
def teams_stack(tmp_path_factory: pytest.TempPathFactory, fake_bf: FakeBotFramework) -> Iterator[Stack]:
    """Action server and Rasa server whose Teams channel trusts only the fake Bot Framework."""
    tmp: Path = tmp_path_factory.mktemp("teams-stack")
    running = make_stack(tmp)
    with patched_environ(channel_env(fake_bf)):
        running.start()
    yield running
    running.stop()
