#!/usr/bin/env bash
# `make test`: sets up when needed, then runs every check; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
export TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 PYTHONPATH="$PWD"

step() { printf '\n== %s ==\n' "$*"; }

step "förbereder (installation och bygge vid behov)"
bash bot/scripts/setup.sh --test

step "kontroll av kunskapsbasen"
$PY -m knowledge check

step "rasa data validate"
$PY -m rasa data validate --domain bot/domain --data data --config config.yml --fail-on-warnings

step "träning (bara om något ändrats)"
$PY -m bot.train

step "pytest"
$PY -m pytest -q -p no:cacheprovider tests

step "rasa test: end-to-end-berättelser"
rm -rf results/core
$PY -m rasa test core --model models/bot.tar.gz --stories tests/stories \
  --out results/core --fail-on-prediction-errors --no-plot >/dev/null
echo "Alla berättelser gick igenom ($(grep -c '^- story:' tests/stories/*.yml | awk -F: '{s+=$2} END {print s}') st)."
