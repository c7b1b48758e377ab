"""Builds the Teams app package: manifest.json with this installation's ids, plus the two icons.

The committed manifest has placeholders, so no app id ever lives in the repository; they
are filled from the environment when an administrator builds the zip to upload.
"""
from __future__ import annotations

import json
import os
import re
import sys
import zipfile
from pathlib import Path
from typing import Dict, List, Mapping, Optional

from bot import paths

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "manifest.json"
ICONS = ("color.png", "outline.png")
OUTPUT = paths.BUILD / "teams-app.zip"
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")
DEFAULT_URL = "https://start.stockholm/"
OPTIONAL = {"TEAMS_WEBSITE_URL": DEFAULT_URL, "TEAMS_PRIVACY_URL": DEFAULT_URL, "TEAMS_TERMS_URL": DEFAULT_URL}


class PackageError(ValueError):
    """The package cannot be built; the message is one Swedish line for the administrator."""


def values_from(env: Mapping[str, str]) -> Dict[str, str]:
    """Placeholder values; the app id is required and must be the Azure Bot's GUID."""
    app_id = env.get("MICROSOFT_APP_ID", "").strip()
    if not app_id:
        raise PackageError(
            "MICROSOFT_APP_ID är inte satt. Sätt den till Azure Bot-resursens app-id (Microsoft App ID), "
            "till exempel: MICROSOFT_APP_ID=<app-id> python -m bot.teams package"
        )
    if not GUID.match(app_id):
        raise PackageError(f"MICROSOFT_APP_ID ska vara ett GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), inte \"{app_id}\".")
    values = {"MICROSOFT_APP_ID": app_id.lower()}
    for name, default in OPTIONAL.items():
        url = env.get(name, "").strip() or default
        if not url.startswith("https://"):
            raise PackageError(f"{name} måste vara en https-adress, inte \"{url}\".")
        values[name] = url
    return values


def render_manifest(values: Mapping[str, str], template: Optional[str] = None) -> Dict[str, object]:
    """The manifest with every placeholder filled (JSON-escaped), parsed to check it is valid JSON."""
    text = MANIFEST.read_text("utf-8") if template is None else template

    def fill(match: "re.Match[str]") -> str:
        name = match.group(1)
        if name not in values:
            raise PackageError(f"Okänd platshållare {{{{{name}}}}} i manifest.json.")
        return json.dumps(values[name])[1:-1]

    return json.loads(PLACEHOLDER.sub(fill, text))


def build_package(env: Mapping[str, str], output: Path = OUTPUT) -> Path:
    """Write the zip (manifest.json and icons at the top level, as Teams requires)."""
    manifest = render_manifest(values_from(env))
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        for icon in ICONS:
            archive.write(HERE / icon, icon)
    return output


def main(argv: List[str]) -> int:
    command = argv[0] if argv else ""
    if command == "icons":
        from bot.teams.icons import draw_all

        draw_all(HERE)
        print(f"Ikonerna är ritade i {HERE.relative_to(paths.ROOT)}/.")
        return 0
    if command != "package":
        print("Användning: python -m bot.teams package   (eller: icons)", file=sys.stderr)
        return 2
    try:
        output = build_package(os.environ)
    except PackageError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Teams-appen är paketerad: {output.relative_to(paths.ROOT)}. Ladda upp den i Teams (Appar → Hantera dina appar → Ladda upp en app).")
    return 0
