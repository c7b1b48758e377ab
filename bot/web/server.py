"""A small HTTP server for the intranet page, the widget bundle and the embed demo.

Stdlib only, no Rasa import: the browser talks to Rasa's Socket.IO channel directly, and
this server just hands out files. Every page gets a strict Content-Security-Policy, so even
a bug in the widget could not run injected script. Nothing is printed per request, and any
failure becomes a Swedish error page, never a traceback.
"""
from __future__ import annotations

import html
import json
import logging
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from string import Template
from typing import Dict, Optional, Tuple
from urllib.parse import urlsplit

from bot.web.processmap import ProcessMap

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent
STATIC = WEB_DIR / "static"
BUNDLE = WEB_DIR / "dist" / "widget.js"

Response = Tuple[int, str, bytes]


@dataclass(frozen=True)
class Site:
    """What the server knows at start: where Rasa is, and the process map."""

    rasa_url: str
    process_map: ProcessMap

    def csp(self) -> str:
        parts = urlsplit(self.rasa_url)
        ws = ("wss" if parts.scheme == "https" else "ws") + f"://{parts.netloc}"
        return (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            f"connect-src 'self' {parts.scheme}://{parts.netloc} {ws}; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'self'; object-src 'none'"
        )


def _template(name: str, **values: str) -> bytes:
    return Template((STATIC / name).read_text("utf-8")).safe_substitute(values).encode("utf-8")


def _config_json(config: Dict[str, str]) -> str:
    """JSON safe inside a <script type="application/json"> element."""
    return json.dumps(config, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")


def intranet_page(site: Site) -> bytes:
    config = {"serverUrl": site.rasa_url, "mode": "embedded", "container": "#chat", "title": "Chatta med SGI-boten"}
    if site.process_map.svg:
        block = f'<div class="map" id="map" role="group" aria-labelledby="map-heading" tabindex="0">{site.process_map.svg}</div>'
        note = ("Steget som chatten pratar om markeras i kartan. "
                '<a href="/processkarta.svg" target="_blank" rel="noopener noreferrer">Öppna kartan i full storlek</a>'
                '<span class="visually-hidden"> (öppnas i ny flik)</span>.')
    else:
        block, note = "", html.escape(site.process_map.note)
    return _template("index.html", config=_config_json(config), map_block=block, map_note=note)


def demo_page(site: Site) -> bytes:
    return _template("demo.html", rasa_url=html.escape(site.rasa_url, quote=True))


def not_found() -> Response:
    return HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", _template("404.html")


STATIC_FILES = {
    "/page.js": ("page.js", "text/javascript; charset=utf-8"),
    "/page.css": ("page.css", "text/css; charset=utf-8"),
    "/demo.css": ("demo.css", "text/css; charset=utf-8"),
}


def route(site: Site, path: str) -> Response:
    """The response for one GET path."""
    path = urlsplit(path).path
    if path in ("/", "/index.html"):
        return HTTPStatus.OK, "text/html; charset=utf-8", intranet_page(site)
    if path == "/demo.html":
        return HTTPStatus.OK, "text/html; charset=utf-8", demo_page(site)
    if path == "/widget.js" and BUNDLE.is_file():
        return HTTPStatus.OK, "text/javascript; charset=utf-8", BUNDLE.read_bytes()
    if path == "/processkarta.svg" and site.process_map.svg:
        return HTTPStatus.OK, "image/svg+xml; charset=utf-8", site.process_map.svg.encode("utf-8")
    if path in STATIC_FILES:
        name, kind = STATIC_FILES[path]
        return HTTPStatus.OK, kind, (STATIC / name).read_bytes()
    return not_found()


def make_handler(site: Site) -> type:
    class Handler(BaseHTTPRequestHandler):
        server_version = "sgi-bot-web"
        sys_version = ""

        def _respond(self, head_only: bool) -> None:
            try:
                status, kind, body = route(site, self.path)
            except Exception:  # noqa: BLE001 - a Swedish page, never a traceback
                logger.exception("web: failed to answer a request")
                status, kind, body = HTTPStatus.INTERNAL_SERVER_ERROR, "text/html; charset=utf-8", _template("500.html")
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            if kind.startswith("text/html"):
                self.send_header("Content-Security-Policy", site.csp())
            self.end_headers()
            if not head_only:
                self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self._respond(head_only=False)

        def do_HEAD(self) -> None:  # noqa: N802
            self._respond(head_only=True)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Quiet: no line per request (paths may carry personal data)."""

    return Handler


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up mid-answer is normal; don't print a traceback for it."""
        logger.debug("web: connection error from a client")


def make_server(host: str, port: int, site: Site) -> QuietServer:
    return QuietServer((host, port), make_handler(site))


def serve(host: str, port: int, rasa_url: str, process_map: Optional[ProcessMap] = None) -> None:
    """Runs until interrupted. The map is drawn once, here, not per request."""
    from bot.web.processmap import load_process_map

    site = Site(rasa_url.rstrip("/"), process_map or load_process_map())
    with make_server(host, port, site) as server:
        server.serve_forever()
