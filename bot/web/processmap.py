"""The process map beside the intranet chat, drawn once when the server starts.

The knowledge package draws it with Graphviz. Either may be missing or broken on a machine;
the page must still work, so every failure becomes a Swedish note instead of an exception.
"""
from __future__ import annotations

import contextlib
import io
import logging
import re
from dataclasses import dataclass
from typing import Optional

from bot import paths

logger = logging.getLogger(__name__)

_PROLOGUE = re.compile(r"^.*?(?=<svg\b)", re.S)


@dataclass(frozen=True)
class ProcessMap:
    """The SVG markup, or None with a note that says why the map is missing."""

    svg: Optional[str]
    note: str = ""


def inline_svg(svg: str) -> str:
    """The SVG without its XML prologue and doctype, so it can sit inside an HTML page."""
    return _PROLOGUE.sub("", svg, count=1).strip()


def load_process_map() -> ProcessMap:
    """Renders the knowledge base's process map; never raises."""
    try:
        from knowledge import load, render_svg
    except Exception:  # noqa: BLE001 - a missing package must not stop the page
        logger.warning("process map: the knowledge package could not be imported")
        return ProcessMap(None, "Processkartan kan inte visas: kunskapsbasen är inte installerad.")
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            svg = render_svg(load(paths.KNOWLEDGE_BASE))
    except Exception as exc:  # noqa: BLE001
        logger.warning("process map: drawing failed (%s)", type(exc).__name__)
        return ProcessMap(None, "Processkartan kan inte visas just nu: den gick inte att rita. "
                                "Chatten fungerar ändå.")
    return ProcessMap(inline_svg(svg))
