"""Draw every identity's icons as PNGs in pwa/static/icons/<identity>/ (pure Python, no dependencies).

    .venv/bin/python scripts/make_icons.py

Shapes are signed distance functions, so edges are anti-aliased without supersampling. Each identity
gets: favicon-48.png, any-192.png, any-512.png (a rounded tile), maskable-512.png (full bleed, the
picture inside the 80% safe zone) and apple-touch-180.png (full bleed: iOS rounds the corners itself).
The disguises look like an ordinary calculator, weather or notes app; nothing hints at the real app.
"""
from __future__ import annotations

import math
import struct
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pwa.identities import IDENTITIES  # noqa: E402

OUT = ROOT / "pwa" / "static" / "icons"
MASKABLE_SCALE = 0.72  # keeps the picture inside the maskable safe zone (a circle of radius 0.4)


# Shapes: functions of (x, y) in icon units (0..1) returning a signed distance (negative inside),
# with a bounding box so each pixel only evaluates the shapes that can touch it.
class Shape:
    def __init__(self, distance, box):
        self.distance = distance
        self.box = box  # (x0, y0, x1, y1)

    def __or__(self, other: Shape) -> Shape:
        return Shape(lambda x, y: min(self.distance(x, y), other.distance(x, y)),
                     (min(self.box[0], other.box[0]), min(self.box[1], other.box[1]),
                      max(self.box[2], other.box[2]), max(self.box[3], other.box[3])))


def rounded_rect(x0, y0, x1, y1, radius) -> Shape:
    cx, cy, hw, hh = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2 - radius, (y1 - y0) / 2 - radius

    def distance(x, y):
        qx, qy = abs(x - cx) - hw, abs(y - cy) - hh
        return math.hypot(max(qx, 0), max(qy, 0)) + min(max(qx, qy), 0) - radius
    return Shape(distance, (x0, y0, x1, y1))


def circle(cx, cy, radius) -> Shape:
    return Shape(lambda x, y: math.hypot(x - cx, y - cy) - radius, (cx - radius, cy - radius, cx + radius, cy + radius))


def stroke(ax, ay, bx, by, width) -> Shape:
    """A straight line with round ends."""
    dx, dy, radius = bx - ax, by - ay, width / 2
    length2 = dx * dx + dy * dy

    def distance(x, y):
        t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / length2))
        return math.hypot(x - ax - t * dx, y - ay - t * dy) - radius
    return Shape(distance, (min(ax, bx) - radius, min(ay, by) - radius, max(ax, bx) + radius, max(ay, by) + radius))


def hex_colour(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    return tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))


# Pictures: lists of (shape, colour), drawn in order, in icon units with the centre at (0.5, 0.5).
def plain(theme):
    door = rounded_rect(0.35, 0.2, 0.65, 0.8, 0.025)
    return [(door, "#ffffff"), (circle(0.585, 0.52, 0.028), theme),
            (stroke(0.26, 0.8, 0.74, 0.8, 0.04), "#ffffff")]


def calculator(theme):
    symbols = "#e8eaed"
    return [
        (stroke(0.22, 0.34, 0.42, 0.34, 0.06) | stroke(0.32, 0.24, 0.32, 0.44, 0.06), symbols),  # +
        (stroke(0.58, 0.34, 0.78, 0.34, 0.06), symbols),  # minus
        (stroke(0.25, 0.59, 0.39, 0.73, 0.06) | stroke(0.39, 0.59, 0.25, 0.73, 0.06), symbols),  # times
        (circle(0.68, 0.66, 0.15), "#f29900"),
        (stroke(0.61, 0.62, 0.75, 0.62, 0.05) | stroke(0.61, 0.71, 0.75, 0.71, 0.05), "#202124"),  # equals
    ]


def weather(theme):
    cloud = (circle(0.44, 0.6, 0.12) | circle(0.6, 0.52, 0.16) | circle(0.73, 0.63, 0.1)
             | rounded_rect(0.3, 0.58, 0.83, 0.73, 0.075))
    return [(circle(0.4, 0.4, 0.17), "#ffca28"), (cloud, "#ffffff")]


def notes(theme):
    page = rounded_rect(0.26, 0.16, 0.74, 0.84, 0.045)
    band = rounded_rect(0.26, 0.16, 0.74, 0.3, 0.045) | rounded_rect(0.26, 0.22, 0.74, 0.3, 0.0)
    lines = [stroke(0.34, y, 0.66 if y < 0.7 else 0.54, y, 0.028) for y in (0.4, 0.5, 0.6, 0.7)]
    return [(page, "#fffdf5"), (band, "#e0a800")] + [(line, "#b8a46a") for line in lines]


PICTURES = {"plain": plain, "calculator": calculator, "weather": weather, "notes": notes}


def render(size: int, background: str, picture, *, tile: bool, scale: float) -> bytes:
    """RGBA pixels: the background (a rounded tile, or full bleed) with the picture scaled about the centre."""
    layers = [(rounded_rect(0.03, 0.03, 0.97, 0.97, 0.2) if tile else rounded_rect(-1, -1, 2, 2, 0), background)]
    layers += [(Shape(lambda x, y, d=shape.distance: d(0.5 + (x - 0.5) / scale, 0.5 + (y - 0.5) / scale) * scale,
                      tuple(0.5 + (v - 0.5) * scale for v in shape.box)), colour) for shape, colour in picture]
    pixels = bytearray(size * size * 4)
    for shape, colour in layers:
        r, g, b = hex_colour(colour)
        x0, y0, x1, y1 = (max(0, min(size, int(v * size) + step)) for v, step in zip(shape.box, (-1, -1, 2, 2)))
        for py in range(y0, y1):
            y = (py + 0.5) / size
            for px in range(x0, x1):
                coverage = 0.5 - shape.distance((px + 0.5) / size, y) * size  # distance in pixels
                if coverage <= 0:
                    continue
                alpha = min(coverage, 1.0)
                i = (py * size + px) * 4
                under = pixels[i + 3] / 255
                out = alpha + under * (1 - alpha)
                for channel, value in enumerate((r, g, b)):
                    pixels[i + channel] = round((value * alpha + pixels[i + channel] * under * (1 - alpha)) / out)
                pixels[i + 3] = round(out * 255)
    return bytes(pixels)


def png(size: int, rgba: bytes) -> bytes:
    """A PNG of these pixels: indexed colour where they have at most 256 colours (lossless, and less than half the
    bytes of RGBA for flat pictures), else RGBA."""
    colours = list(dict.fromkeys(rgba[i:i + 4] for i in range(0, len(rgba), 4)))
    if len(colours) <= 256:
        index = {colour: i for i, colour in enumerate(colours)}
        pixels = bytes(index[rgba[i:i + 4]] for i in range(0, len(rgba), 4))
        rows = b"".join(b"\x00" + pixels[y * size:(y + 1) * size] for y in range(size))  # no filter: indices
        palette = chunk(b"PLTE", b"".join(c[:3] for c in colours)) + chunk(b"tRNS", bytes(c[3] for c in colours))
        header = struct.pack(">IIBBBBB", size, size, 8, 3, 0, 0, 0)
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + palette
                + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))
    stride = size * 4
    rows = bytearray()
    previous = bytes(stride)
    for y in range(size):
        row = rgba[y * stride:(y + 1) * stride]
        rows.append(2)  # "up" filter: flat areas become runs of zeros, which compress well
        rows.extend((a - b) & 0xFF for a, b in zip(row, previous))
        previous = row
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b"")


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


ICONS = {  # file name: (size, rounded tile?, picture scale)
    "favicon-48.png": (48, True, 1.0),
    "any-192.png": (192, True, 1.0),
    "any-512.png": (512, True, 1.0),
    "maskable-512.png": (512, False, MASKABLE_SCALE),
    "apple-touch-180.png": (180, False, 0.85),
}


def main() -> None:
    missing = set(IDENTITIES) - set(PICTURES)
    if missing:
        raise SystemExit(f"no picture drawn for identities: {', '.join(sorted(missing))}")
    for key, identity in IDENTITIES.items():
        folder = OUT / key
        folder.mkdir(parents=True, exist_ok=True)
        picture = PICTURES[key](identity.theme_color)
        for name, (size, tile, scale) in ICONS.items():
            data = png(size, render(size, identity.theme_color, picture, tile=tile, scale=scale))
            (folder / name).write_bytes(data)
            print(f"{folder.relative_to(ROOT) / name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
