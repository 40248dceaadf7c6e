#!/usr/bin/env python3
"""Writes build/icon.png (1024x1024, RGBA): the app icon electron-builder turns into
.icns/.ico/AppImage sizes. Standard library only, so regenerating needs no dependency."""
import math
import os
import struct
import zlib

SIZE = 1024


def pixel(x, y):
    # Rounded square, diagonal blue gradient, with three step dots joined by a line:
    # a saga's steps, the last one hollow (in flight).
    cx, cy = x - SIZE / 2, y - SIZE / 2
    half, radius = SIZE * 0.44, SIZE * 0.18
    qx, qy = max(abs(cx) - (half - radius), 0), max(abs(cy) - (half - radius), 0)
    outside = math.hypot(qx, qy) - radius
    if outside > 1:
        return (0, 0, 0, 0)
    alpha = int(255 * min(1.0, 1 - outside)) if outside > 0 else 255
    t = (x + y) / (2 * SIZE)
    r, g, b = int(30 + 20 * t), int(90 + 60 * t), int(200 - 40 * t)
    dots = [(0.30, 0.62), (0.50, 0.42), (0.70, 0.62)]
    for i, (dx, dy) in enumerate(dots):
        d = math.hypot(x - dx * SIZE, y - dy * SIZE)
        if d < SIZE * 0.075:
            return (245, 245, 250, alpha) if i < 2 or d > SIZE * 0.045 else (r, g, b, alpha)
    for (ax, ay), (bx, by) in zip(dots, dots[1:]):
        ax, ay, bx, by = ax * SIZE, ay * SIZE, bx * SIZE, by * SIZE
        vx, vy = bx - ax, by - ay
        u = max(0.0, min(1.0, ((x - ax) * vx + (y - ay) * vy) / (vx * vx + vy * vy)))
        if math.hypot(x - (ax + u * vx), y - (ay + u * vy)) < SIZE * 0.018:
            return (245, 245, 250, alpha)
    return (r, g, b, alpha)


def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF)


rows = bytearray()
for y in range(SIZE):
    rows.append(0)
    for x in range(SIZE):
        rows.extend(pixel(x, y))
png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', SIZE, SIZE, 8, 6, 0, 0, 0))
png += chunk(b'IDAT', zlib.compress(bytes(rows), 9)) + chunk(b'IEND', b'')
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'icon.png')
with open(out, 'wb') as f:
    f.write(png)
print(f'wrote {out} ({len(png)} bytes)')
