"""Shared fixtures. Server fixtures are session-scoped: starting Rasa takes ~20–40 s."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from bot.run import Stack
from tests.server_stack import make_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The action server and the Rasa server, as `make run` starts them."""
    tmp: Path = tmp_path_factory.mktemp("stack")
    running = make_stack(tmp)
    running.start()
    yield running
    running.stop()
