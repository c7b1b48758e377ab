"""`make run`: the action server and the Rasa server on localhost, stopped together by Ctrl-C.

The same `Stack` starts the servers for the end-to-end tests, so the tests exercise exactly
what a user runs.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from bot import paths

DEFAULT_PORTS = {"BOT_RASA_PORT": 5005, "BOT_ACTION_PORT": 5055, "BOT_WEB_PORT": 8080}
HOST = "127.0.0.1"


class StartupError(RuntimeError):
    """A server could not start; the message is one Swedish line for the user."""


def port_from_env(name: str) -> int:
    raw = os.environ.get(name, str(DEFAULT_PORTS[name]))
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise StartupError(f"{name}={raw} är inte ett giltigt portnummer (1–65535).")
    return int(raw)


def free_port() -> int:
    """A port nobody listens on now, for servers started by tests and benchmarks."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def ensure_port_free(port: int, variable: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            raise StartupError(
                f"Port {port} används redan av ett annat program. Stoppa det, eller välj en annan port med {variable}=<port>."
            ) from None


def wait_http(url: str, process: subprocess.Popen, timeout: float) -> None:
    """Poll until the server answers; fail early if its process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StartupError(f"servern avslutades under starten (kod {process.returncode}).")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise StartupError(f"servern svarade inte på {url} inom {timeout:.0f} s.")


@dataclass
class Stack:
    """The bot's server processes, with their ports, tracker database and log files."""

    rasa_port: int
    action_port: int
    tracker_db: Path
    log_dir: Path
    model: Path
    web_port: Optional[int] = None
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def rest_url(self) -> str:
        return f"http://{HOST}:{self.rasa_port}/webhooks/rest/webhook"

    def env(self) -> Dict[str, str]:
        env = dict(os.environ)
        env.update(
            BOT_ACTION_PORT=str(self.action_port),
            BOT_TRACKER_DB=str(self.tracker_db),
            PYTHONPATH=str(paths.ROOT),
            TF_CPP_MIN_LOG_LEVEL="2",
            SQLALCHEMY_SILENCE_UBER_WARNING="1",
        )
        return env

    def _spawn(self, name: str, args: List[str]) -> subprocess.Popen:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{name}.log", "ab")
        process = subprocess.Popen(
            [sys.executable, "-m", *args], cwd=paths.ROOT, env=self.env(),
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.processes[name] = process
        return process

    def start_actions(self) -> None:
        process = self._spawn("actions", ["bot.action_server", "--actions", "actions", "--port", str(self.action_port)])
        self._wait("actions", f"http://{HOST}:{self.action_port}/health", process, 120)

    def start_rasa(self) -> None:
        self.tracker_db.parent.mkdir(parents=True, exist_ok=True)
        process = self._spawn("rasa", [
            "bot.rasa_server", "run", "--model", str(self.model), "--interface", HOST, "--port", str(self.rasa_port),
            "--credentials", str(paths.CREDENTIALS), "--endpoints", str(paths.ENDPOINTS), "--cors", "*",
        ])
        self._wait("rasa", f"http://{HOST}:{self.rasa_port}/", process, 300)

    def start_web(self) -> None:
        """The intranet page and the widget's files (bot/web), talking to this Rasa server."""
        if self.web_port is None:
            return
        process = self._spawn("web", [
            "bot.web", "--host", HOST, "--port", str(self.web_port),
            "--rasa-url", f"http://{HOST}:{self.rasa_port}",
        ])
        self._wait("web", f"http://{HOST}:{self.web_port}/", process, 60)

    @property
    def web_url(self) -> str:
        return f"http://{HOST}:{self.web_port}/"

    def _wait(self, name: str, url: str, process: subprocess.Popen, timeout: float) -> None:
        try:
            wait_http(url, process, timeout)
        except StartupError as exc:
            tail = self.log_tail(name)
            self.stop()
            raise StartupError(f"{name}: {exc}\n{tail}") from None

    def log_tail(self, name: str, lines: int = 15) -> str:
        log = self.log_dir / f"{name}.log"
        return "\n".join(log.read_text("utf-8", "replace").splitlines()[-lines:]) if log.exists() else ""

    def start(self) -> "Stack":
        self.start_actions()
        self.start_rasa()
        self.start_web()
        return self

    def stop_one(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop(self) -> None:
        for name in reversed(list(self.processes)):
            self.stop_one(name)


def web_available() -> bool:
    """The web page is served once its package (bot/web) exists."""
    return (paths.ROOT / "bot" / "web" / "__main__.py").exists()


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM stops the stack the same way Ctrl-C does."""
    raise KeyboardInterrupt


def main() -> int:
    from bot.train import train

    try:
        rasa_port = port_from_env("BOT_RASA_PORT")
        action_port = port_from_env("BOT_ACTION_PORT")
        ensure_port_free(rasa_port, "BOT_RASA_PORT")
        ensure_port_free(action_port, "BOT_ACTION_PORT")
        web_port = port_from_env("BOT_WEB_PORT") if web_available() else None
        if web_port is not None:
            ensure_port_free(web_port, "BOT_WEB_PORT")
    except StartupError as exc:
        print(exc, file=sys.stderr)
        return 1
    model = train()
    stack = Stack(rasa_port, action_port, paths.VAR / "rasa.db", paths.VAR / "logs", model, web_port)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        print("[start] startar action-servern och Rasa-servern ...", flush=True)
        started = time.monotonic()
        stack.start()
        print(f"[start] igång på {time.monotonic() - started:.0f} s. Loggar: {stack.log_dir.relative_to(paths.ROOT)}/")
        print(f"  REST:      POST {stack.rest_url}")
        print(f"  Socket.IO: http://{HOST}:{rasa_port}/socket.io/")
        if web_port is not None:
            print(f"  Intranätssidan: {stack.web_url}")
        print("Tryck Ctrl-C för att stoppa.", flush=True)
        while all(p.poll() is None for p in stack.processes.values()):
            time.sleep(0.5)
        dead = [name for name, p in stack.processes.items() if p.poll() is not None]
        print(f"[start] {', '.join(dead)} stannade oväntat:\n{stack.log_tail(dead[0])}", file=sys.stderr)
        return 1
    except StartupError as exc:
        print(f"[start] kunde inte starta: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\n[start] stoppar ...")
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
