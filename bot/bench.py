"""`make bench`: latency of one answered question through REST, one user at a time.

Measures this bot and, in the same run and on the same machine, Rasa's default `rasa init`
bot, so the two numbers are comparable. Prints numbers; asserts nothing (targets are read by
people, not by a timed test).

The standard questions and the `rasa init` bot's "hello" are sent in alternating blocks of 20,
both servers running, so that drifts in the machine's speed reach both alike. Then this bot is
measured once through the question bank in tests/kb_questions*.yml (336 questions as
handläggare write them), on the same servers. The intent classifier asks the sentence encoder
only when the words leave it unsure, and longer questions about content need it more often,
so the bank is the truer picture of a working day.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from contextlib import ExitStack, contextmanager
from typing import Callable, Dict, Iterator, List

from bot import paths
from bot.run import HOST, Stack, free_port, wait_http
from knowledge.evaluate import read_questions

QUESTION_BANKS = ("tests/kb_questions.yml", "tests/kb_questions_holdout.yml")

QUESTIONS = [
    "när ska jag ansöka om samordning av rehabiliteringsinsatser?",
    "vem kallar till SIP?",
    "vad betyder SGI?",
    "vilken blankett används för gemensam kartläggning?",
    "hur snabbt ska jobbplanen vara klar?",
    "vad gör Finsamteamet?",
]


def post(url: str, sender: str, text: str) -> float:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as resp:
        replies = json.loads(resp.read())
    elapsed = (time.perf_counter() - started) * 1000
    if not replies:
        raise RuntimeError(f"inget svar på {text!r}")
    return elapsed


def measure(send: Callable[[int], float], rounds: int, warmup: int = 10) -> List[float]:
    for i in range(warmup):
        send(-1 - i)
    return [send(i) for i in range(rounds)]


def interleaved(
    senders: Dict[str, Callable[[int], float]], rounds: int, block: int = 20
) -> Dict[str, List[float]]:
    """Blocks of `block` questions to each bot in turn, so that both meet the same machine.

    On a shared virtual machine the speed drifts by tens of per cent within minutes; measured
    one after the other, the ratio of two bots measures the drift as much as the bots.
    """
    for send in senders.values():
        measure(send, 0)
    samples: Dict[str, List[float]] = {name: [] for name in senders}
    for start in range(0, rounds, block):
        for name, send in senders.items():
            samples[name] += [send(i) for i in range(start, min(start + block, rounds))]
    return samples


def summary(name: str, samples: List[float]) -> str:
    q = statistics.quantiles(samples, n=100)
    return f"{name:<38} n={len(samples):<4} p50={q[49]:6.1f} ms  p95={q[94]:6.1f} ms  max={max(samples):6.1f} ms"


def question_bank() -> List[str]:
    return [question for bank in QUESTION_BANKS for question, _ in read_questions(paths.ROOT / bank)]


@contextmanager
def our_bot() -> Iterator[str]:
    """This bot's servers (Rasa, actions) on free ports; yields the REST address."""
    from bot.train import train

    with tempfile.TemporaryDirectory() as tmp:
        stack = Stack(free_port(), free_port(), Path(tmp) / "t.db", Path(tmp) / "logs", train())
        stack.start()
        try:
            yield stack.rest_url
        finally:
            stack.stop()


@contextmanager
def rasa_init_bot() -> Iterator[str]:
    """Rasa's starter bot (`rasa init`), trained in a temporary folder and served the same way."""
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "init-bot"
        project.mkdir()
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
        subprocess.run([sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(project)],
                       cwd=tmp, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port = free_port()
        log = open(Path(tmp) / "rasa.log", "wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "rasa", "run", "--model", "models", "--interface", HOST, "--port", str(port)],
            cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            wait_http(f"http://{HOST}:{port}/", process, 300)
            yield f"http://{HOST}:{port}/webhooks/rest/webhook"
        finally:
            process.terminate()
            process.wait(timeout=30)


def standard_questions(url: str) -> Callable[[int], float]:
    return lambda i: post(url, f"bench-{i}", QUESTIONS[i % len(QUESTIONS)])


def hello(url: str) -> Callable[[int], float]:
    return lambda i: post(url, f"init-{i}", "hello")


def ratios(ours: Dict[str, List[float]], base: List[float]) -> List[str]:
    return [
        f"kvot p50 den här ({series}) / rasa init: {statistics.median(samples) / statistics.median(base):.2f}"
        for series, samples in ours.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--skip-baseline", action="store_true", help="mät inte rasa init-boten")
    args = parser.parse_args()
    bank = question_bank()
    with ExitStack() as servers:
        ours_url = servers.enter_context(our_bot())
        senders = {"standardfrågorna": standard_questions(ours_url)}
        if not args.skip_baseline:
            senders["rasa init"] = hello(servers.enter_context(rasa_init_bot()))
        samples = interleaved(senders, args.rounds)
        base = samples.pop("rasa init", None)
        samples["frågebanken"] = measure(lambda i: post(ours_url, f"bank-{i}", bank[i]), len(bank), warmup=0)
    for series, values in samples.items():
        print(summary(f"den här boten, {series}", values))
    if base is not None:
        print(summary("rasa init-boten (hello)", base))
        print("\n".join(ratios(samples, base)))


if __name__ == "__main__":
    main()
