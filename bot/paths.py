"""Where things live. Every command runs from the repository root, so paths are fixed here once."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
MODELS = ROOT / "models"
VAR = ROOT / "var"
KNOWLEDGE_BASE = ROOT / "knowledge" / "base"
DOMAIN = ROOT / "bot" / "domain"
DATA = ROOT / "data"
CONFIG = ROOT / "config.yml"
ENDPOINTS = ROOT / "bot" / "endpoints.yml"
CREDENTIALS = ROOT / "bot" / "credentials.yml"
SPACY_PIPELINE = BUILD / "spacy-sv"
DOMAIN_VOCABULARY = BUILD / "domain-vocabulary.json"
GENERATED_NLU = DATA / "nlu" / "generated_from_knowledge.yml"
MODEL_NAME = "bot"
