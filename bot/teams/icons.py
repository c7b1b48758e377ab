"""Draws the two icons Teams needs: colour 192×192 and outline 32×32 (white on transparent).

Kept as code so the icons can be redrawn (`python -m bot.teams icons`); the PNGs are committed.
"""
from __future__ import annotations

from pathlib import Path
from typing import Tuple

from PIL import Image, ImageDraw

ACCENT = (31, 92, 153, 255)  # #1F5C99, the manifest's accentColor
WHITE = (255, 255, 255, 255)
SCALE = 4  # draw large, then shrink, for smooth edges


def _bubble(draw: ImageDraw.ImageDraw, box: Tuple[int, int, int, int], width: int, fill: bool) -> None:
    """A speech bubble with a tail at the lower left, inside box."""
    left, top, right, bottom = box
    tail_top = bottom - (bottom - top) // 4
    radius = (bottom - top) // 4
    body = (left, top, right, tail_top)
    tail = [(left + radius, tail_top - width), (left + radius // 2, bottom), (left + 2 * radius, tail_top - width)]
    if fill:
        draw.rounded_rectangle(body, radius=radius, fill=WHITE)
        draw.polygon(tail, fill=WHITE)
    else:
        draw.rounded_rectangle(body, radius=radius, outline=WHITE, width=width)
        draw.line(tail, fill=WHITE, width=width, joint="curve")


def _dots(draw: ImageDraw.ImageDraw, box: Tuple[int, int, int, int], colour: Tuple[int, int, int, int]) -> None:
    left, top, right, bottom = box
    middle_y = top + (bottom - top) * 3 // 8
    step = (right - left) // 4
    size = max(step // 4, 2)
    for i in (1, 2, 3):
        x = left + i * step
        draw.ellipse((x - size, middle_y - size, x + size, middle_y + size), fill=colour)


def draw_colour(size: int = 192) -> Image.Image:
    big = size * SCALE
    image = Image.new("RGBA", (big, big), ACCENT)
    draw = ImageDraw.Draw(image)
    box = (big // 5, big // 4, big * 4 // 5, big * 4 // 5)
    _bubble(draw, box, width=0, fill=True)
    _dots(draw, box, ACCENT)
    return image.resize((size, size), Image.LANCZOS)


def draw_outline(size: int = 32) -> Image.Image:
    big = size * SCALE
    image = Image.new("RGBA", (big, big), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    box = (big // 8, big // 6, big * 7 // 8, big * 7 // 8)
    _bubble(draw, box, width=max(big // 14, 2), fill=False)
    _dots(draw, box, WHITE)
    small = image.resize((size, size), Image.LANCZOS)
    alpha = small.getchannel("A")
    white = Image.new("RGBA", (size, size), WHITE)
    white.putalpha(alpha)  # only white, with transparency: what Teams requires
    return white


def draw_all(folder: Path) -> None:
    draw_colour().save(folder / "color.png", optimize=True)
    draw_outline().save(folder / "outline.png", optimize=True)
