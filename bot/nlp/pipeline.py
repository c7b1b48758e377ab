"""Builds the Swedish spaCy pipeline that Rasa's SpacyNLP loads from `build/spacy-sv`.

The official `sv_core_news_*` packages are not on the registries these machines reach, so
by default the pipeline is spaCy's blank `sv` language with the lookup lemmatizer from
spacy-lookups-data. Setting `BOT_SPACY_BASE=sv_core_news_md` (or `_sm`/`_lg`) builds on the
official pipeline instead, when that package is installed.

In both cases an entity ruler is added whose patterns come from the knowledge base. It
matches on the LOWER attribute because Rasa's SpacyNLP lowercases text before spaCy sees it
(`case_sensitive: false`), so patterns written with capitals would otherwise never match.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any, Dict, List, Optional

import spacy
from spacy.language import Language

BASE_ENV = "BOT_SPACY_BASE"
STAMP_NAME = "build-stamp.json"


def base_model_name() -> Optional[str]:
    """The official pipeline to build on, or None for the blank `sv` language."""
    name = os.environ.get(BASE_ENV, "").strip()
    return name or None


def make_base(base: Optional[str] = None) -> Language:
    """A Swedish pipeline with lemmas: the official one if asked for, else blank `sv` + lookups."""
    if base:
        try:
            return spacy.load(base)
        except OSError as exc:
            raise SystemExit(
                f"{BASE_ENV}={base} men paketet är inte installerat ({exc}). "
                f"Ta bort {BASE_ENV} för att använda projektets egen pipeline."
            ) from None
    nlp = spacy.blank("sv")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def build_pipeline(patterns: List[Dict[str, Any]], out_dir: Path, base: Optional[str] = None) -> Language:
    """Assemble the pipeline with the knowledge base's entity patterns and save it to `out_dir`."""
    nlp = make_base(base)
    if "entity_ruler" in nlp.pipe_names:
        nlp.remove_pipe("entity_ruler")
    ruler = nlp.add_pipe(
        "entity_ruler",
        last=True,
        config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True},
    )
    ruler.add_patterns(patterns)
    tmp = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    nlp.to_disk(tmp)
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp.rename(out_dir)
    return nlp


def pipeline_digest(patterns: List[Dict[str, Any]], base: Optional[str]) -> str:
    """What the pipeline is made of; a different digest means it must be rebuilt (and Rasa retrained)."""
    payload = json.dumps(
        {"patterns": patterns, "base": base, "spacy": spacy.__version__, "builder": 1},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def ensure_pipeline(patterns: List[Dict[str, Any]], out_dir: Path) -> str:
    """Rebuild only when the digest changed; returns the digest (part of the training fingerprint)."""
    base = base_model_name()
    digest = pipeline_digest(patterns, base)
    stamp = out_dir / STAMP_NAME
    if stamp.exists() and json.loads(stamp.read_text("utf-8")).get("digest") == digest:
        return digest
    build_pipeline(patterns, out_dir, base)
    stamp.write_text(json.dumps({"digest": digest, "base": base or "blank sv + lookups"}), "utf-8")
    return digest
