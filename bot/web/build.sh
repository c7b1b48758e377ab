#!/usr/bin/env bash
# Builds the chat widget into bot/web/dist/widget.js, and does nothing when nothing changed:
# `npm ci` runs only when package-lock.json changed, the bundle only when a source changed.
set -euo pipefail
cd "$(dirname "$0")"

say() { printf '[widget] %s\n' "$*"; }

if ! command -v npm >/dev/null 2>&1; then
  echo "npm saknas: installera Node.js 20 (till exempel Debian-paketet nodejs och npm) och kör igen." >&2
  exit 1
fi

mkdir -p dist
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ "$(cat node_modules/.lock-stamp 2>/dev/null)" != "$lock_sum" ]; then
  say "installerar npm-paket från package-lock.json"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  echo "$lock_sum" > node_modules/.lock-stamp
fi

src_sum=$( (cat package-lock.json; find src -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1)
if [ ! -f dist/widget.js ] || [ "$(cat dist/.src-stamp 2>/dev/null)" != "$src_sum" ]; then
  say "bygger dist/widget.js"
  node_modules/.bin/esbuild src/index.js --bundle --minify --format=iife --target=es2019 \
    --legal-comments=none --log-level=warning --outfile=dist/widget.js
  echo "$src_sum" > dist/.src-stamp
fi
