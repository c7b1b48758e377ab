"""The web server's routes without a browser: pages, 404 in Swedish, the map fallback."""
from __future__ import annotations

from http import HTTPStatus

import pytest

from bot.web.processmap import ProcessMap, inline_svg
from bot.web.server import Site, route

pytestmark = pytest.mark.issue(6)

SVG = '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x">\n<svg><g id="step-a" class="node"><text>A</text></g></svg>'


def site(svg: str | None = SVG) -> Site:
    return Site("http://127.0.0.1:5005", ProcessMap(inline_svg(svg) if svg else None, "Processkartan kan inte visas."))


def test_intranet_page_has_the_map_inline_and_config_as_json() -> None:
    status, kind, body = route(site(), "/")
    page = body.decode()
    assert status == HTTPStatus.OK and kind.startswith("text/html")
    assert '<html lang="sv">' in page and '<g id="step-a"' in page and "<?xml" not in page
    assert '"serverUrl": "http://127.0.0.1:5005"' in page and '"mode": "embedded"' in page


def test_page_without_map_says_so_in_swedish() -> None:
    page = route(site(None), "/")[2].decode()
    assert "Processkartan kan inte visas." in page and 'id="map"' not in page
    assert route(site(None), "/processkarta.svg")[0] == HTTPStatus.NOT_FOUND


def test_the_map_is_served_as_svg() -> None:
    status, kind, body = route(site(), "/processkarta.svg")
    assert status == HTTPStatus.OK and kind.startswith("image/svg+xml") and body.startswith(b"<svg")


@pytest.mark.parametrize("path", ["/nope", "/../bot/credentials.yml", "/static/page.js", "/%2e%2e/etc/passwd", "/widget.js/x"])
def test_unknown_paths_get_a_swedish_404(path: str) -> None:
    status, _, body = route(site(), path)
    assert status == HTTPStatus.NOT_FOUND and "Sidan finns inte" in body.decode()


def test_demo_page_embeds_the_widget_with_one_script_tag() -> None:
    page = route(site(), "/demo.html?x=1")[2].decode()
    assert page.count('<script src="/widget.js"') == 1 and 'data-server-url="http://127.0.0.1:5005"' in page


def test_csp_allows_only_this_server_and_rasa() -> None:
    csp = site().csp()
    assert "script-src 'self'" in csp and "ws://127.0.0.1:5005" in csp and "http://127.0.0.1:5005" in csp
