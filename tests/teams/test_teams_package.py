"""The Teams app package: manifest against the v1.19 schema's rules, icons, zip and command.

The schema cannot be fetched offline, so its required fields, formats and limits that apply
to a bot app are restated here (from MicrosoftTeams.schema.json v1.19) and checked with jsonschema.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
from PIL import Image

from bot import paths
from bot.teams import package

APP_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
HTTPS = {"type": "string", "pattern": r"^https://", "maxLength": 2048}
SCOPES = {"type": "array", "maxItems": 3, "uniqueItems": True, "items": {"enum": ["team", "personal", "groupChat"]}}
SCHEMA_SUBSET = {
    "type": "object",
    "required": ["manifestVersion", "version", "id", "developer", "name", "description", "icons", "accentColor"],
    "properties": {
        "$schema": {"const": "https://developer.microsoft.com/en-us/json-schemas/teams/v1.19/MicrosoftTeams.schema.json"},
        "manifestVersion": {"const": "1.19"},
        "version": {"type": "string", "pattern": r"^([0-9]|[1-9][0-9]*)\.([0-9]|[1-9][0-9]*)\.([0-9]|[1-9][0-9]*)$"},
        "id": {"type": "string", "pattern": package.GUID.pattern},
        "developer": {
            "type": "object", "additionalProperties": False,
            "required": ["name", "websiteUrl", "privacyUrl", "termsOfUseUrl"],
            "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 32},
                           "websiteUrl": HTTPS, "privacyUrl": HTTPS, "termsOfUseUrl": HTTPS},
        },
        "localizationInfo": {"type": "object", "required": ["defaultLanguageTag"]},
        "name": {"type": "object", "additionalProperties": False, "required": ["short", "full"],
                 "properties": {"short": {"type": "string", "minLength": 1, "maxLength": 30},
                                "full": {"type": "string", "maxLength": 100}}},
        "description": {"type": "object", "additionalProperties": False, "required": ["short", "full"],
                        "properties": {"short": {"type": "string", "minLength": 1, "maxLength": 80},
                                       "full": {"type": "string", "minLength": 1, "maxLength": 4000}}},
        "icons": {"type": "object", "additionalProperties": False, "required": ["outline", "color"],
                  "properties": {"outline": {"type": "string"}, "color": {"type": "string"}}},
        "accentColor": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
        "bots": {"type": "array", "maxItems": 1, "items": {
            "type": "object", "required": ["botId", "scopes"],
            "properties": {
                "botId": {"type": "string", "pattern": package.GUID.pattern},
                "scopes": SCOPES,
                "commandLists": {"type": "array", "maxItems": 3, "items": {
                    "type": "object", "required": ["scopes", "commands"],
                    "properties": {"scopes": SCOPES, "commands": {"type": "array", "maxItems": 10, "items": {
                        "type": "object", "additionalProperties": False, "required": ["title", "description"],
                        "properties": {"title": {"type": "string", "maxLength": 32},
                                       "description": {"type": "string", "maxLength": 128}}}}}}},
            }}},
        "permissions": {"type": "array", "items": {"enum": ["identity", "messageTeamMembers"]}},
        "validDomains": {"type": "array", "maxItems": 16},
    },
}


def test_packaged_manifest_follows_the_schema(tmp_path: Path) -> None:
    zip_path = package.build_package({"MICROSOFT_APP_ID": APP_ID}, tmp_path / "app.zip")
    with zipfile.ZipFile(zip_path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    jsonschema.validate(manifest, SCHEMA_SUBSET)
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == APP_ID
    assert manifest["bots"][0]["scopes"] == ["personal", "team", "groupChat"]
    assert "SGI" in manifest["description"]["full"] and manifest["localizationInfo"]["defaultLanguageTag"] == "sv-se"


def test_zip_holds_exactly_the_manifest_and_icons_at_the_top(tmp_path: Path) -> None:
    zip_path = package.build_package({"MICROSOFT_APP_ID": APP_ID}, tmp_path / "app.zip")
    with zipfile.ZipFile(zip_path) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        color = Image.open(io.BytesIO(archive.read("color.png")))
        outline = Image.open(io.BytesIO(archive.read("outline.png"))).convert("RGBA")
    assert color.format == "PNG" and color.size == (192, 192)
    assert outline.size == (32, 32)
    pixels = list(outline.getdata())
    assert all(p[:3] == (255, 255, 255) for p in pixels if p[3]), "outline must be white on transparent"
    assert any(p[3] == 0 for p in pixels) and any(p[3] == 255 for p in pixels)


def test_committed_manifest_holds_no_app_id() -> None:
    text = package.MANIFEST.read_text("utf-8")
    assert "{{MICROSOFT_APP_ID}}" in text and not package.GUID.search(text.replace("{{", "").replace("}}", ""))


@pytest.mark.parametrize(
    "env, fragment",
    [({}, "MICROSOFT_APP_ID är inte satt"), ({"MICROSOFT_APP_ID": "min-bot"}, "ska vara ett GUID"),
     ({"MICROSOFT_APP_ID": APP_ID, "TEAMS_PRIVACY_URL": "http://x"}, "https-adress")],
)
def test_bad_settings_give_a_swedish_error(env: dict, fragment: str) -> None:
    with pytest.raises(package.PackageError, match=fragment):
        package.values_from(env)


def test_command_writes_build_teams_app_zip() -> None:
    env = dict(os.environ, MICROSOFT_APP_ID=APP_ID, PYTHONPATH=str(paths.ROOT))
    result = subprocess.run([sys.executable, "-m", "bot.teams", "package"], cwd=paths.ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "build/teams-app.zip" in result.stdout
    with zipfile.ZipFile(paths.BUILD / "teams-app.zip") as archive:
        assert json.loads(archive.read("manifest.json"))["id"] == APP_ID


def test_command_without_app_id_says_so_in_swedish() -> None:
    env = {k: v for k, v in os.environ.items() if k != "MICROSOFT_APP_ID"}
    env["PYTHONPATH"] = str(paths.ROOT)
    result = subprocess.run([sys.executable, "-m", "bot.teams", "package"], cwd=paths.ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "MICROSOFT_APP_ID är inte satt" in result.stderr
