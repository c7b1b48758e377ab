#!/usr/bin/env bash
# Sets up everything the bot needs on a fresh machine, and does nothing when
# nothing changed (each step compares a stamp with its inputs).
#   bash bot/scripts/setup.sh          # Python environment + build
#   bash bot/scripts/setup.sh --test   # also what the tests need (Chromium)
set -euo pipefail
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
cd "$(dirname "$0")/../.."

VENV=.venv
STAMP_DIR=$VENV/.stamps
WITH_TEST=0
[ "${1:-}" = "--test" ] && WITH_TEST=1

say() { printf '[setup] %s\n' "$*"; }

find_python310() {
  local candidate
  if command -v python3.10 >/dev/null 2>&1 && python3.10 -c 'import sys' >/dev/null 2>&1; then
    command -v python3.10; return 0
  fi
  if command -v pyenv >/dev/null 2>&1; then
    for candidate in "$(pyenv root)"/versions/3.10.*/bin/python3.10; do
      [ -x "$candidate" ] && "$candidate" -c 'import sys' >/dev/null 2>&1 && { echo "$candidate"; return 0; }
    done
  fi
  for candidate in "$HOME"/.pyenv/versions/3.10.*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do
    [ -x "$candidate" ] && "$candidate" -c 'import sys' >/dev/null 2>&1 && { echo "$candidate"; return 0; }
  done
  return 1
}

ensure_venv() {
  if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    return 0
  fi
  local py
  if ! py=$(find_python310); then
    echo "Python 3.10 saknas: installera Python 3.10 (till exempel 'pyenv install 3.10' eller Debian-paketet python3.10) och kör kommandot igen." >&2
    exit 1
  fi
  say "skapar $VENV med $py"
  rm -rf "$VENV"
  "$py" -m venv "$VENV"
}

stamp_ok() { [ -f "$STAMP_DIR/$1" ] && [ "$(cat "$STAMP_DIR/$1")" = "$2" ]; }
stamp_set() { mkdir -p "$STAMP_DIR"; echo "$2" > "$STAMP_DIR/$1"; }

ensure_packages() {
  local want
  want=$(sha256sum requirements.lock | cut -d' ' -f1)
  stamp_ok lock "$want" && return 0
  say "installerar Python-paket från requirements.lock (första gången tar det ett par minuter)"
  local started=$SECONDS
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$(grep '^pip==' requirements.lock)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r requirements.lock 2>&1 \
    | grep -v "^WARNING: Location 'file:" || true
  "$VENV/bin/python" -m pip check >/dev/null || { "$VENV/bin/python" -m pip check; exit 1; }
  stamp_set lock "$want"
  say "paketen installerade på $((SECONDS - started)) s"
}

apt_install() {
  # Installs Debian packages only when a command is missing.
  local need=()
  while [ $# -gt 1 ]; do command -v "$1" >/dev/null 2>&1 || need+=("$2"); shift 2; done
  [ ${#need[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then
    echo "Saknar Debian-paketen ${need[*]}: installera dem (apt-get install ${need[*]}) och kör igen." >&2; exit 1
  fi
  local SUDO=""; [ "$(id -u)" != 0 ] && SUDO=sudo
  say "installerar Debian-paket: ${need[*]}"
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
}

ensure_venv
ensure_packages
apt_install dot graphviz fc-list fonts-dejavu-core
if [ "$WITH_TEST" = 1 ]; then
  apt_install chromium chromium
fi
# The web widget's own build (npm packages from its lock file, bundled once).
[ -f bot/web/build.sh ] && bash bot/web/build.sh
"$VENV/bin/python" -m bot.build
