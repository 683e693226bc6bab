// Draws the extension's icons as PNGs at build time (a broadcast-wave mark), so no binary lives in git.

import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** RGBA pixels of the mark at `size`: a blue rounded tile with a dot and two arcs. */
function pixels(size: number): Buffer {
  const rows: Buffer[] = [];
  const c = (size - 1) / 2;
  const radius = size * 0.22;
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      const dx = Math.max(Math.abs(x - c) - (c - radius), 0);
      const dy = Math.max(Math.abs(y - c) - (c - radius), 0);
      const inTile = Math.hypot(dx, dy) <= radius;
      const px = x - size * 0.3;
      const py = size * 0.7 - y;
      const d = Math.hypot(px, py) / size;
      const inQuadrant = px >= -size * 0.04 && py >= -size * 0.04;
      const mark = d < 0.1 || (inQuadrant && ((d > 0.22 && d < 0.32) || (d > 0.42 && d < 0.52)));
      const [r, g, b, a] = !inTile ? [0, 0, 0, 0] : mark ? [255, 255, 255, 255] : [26, 115, 232, 255];
      row.set([r, g, b, a], 1 + x * 4);
    }
    rows.push(row);
  }
  return Buffer.concat(rows);
}

export function iconPng(size: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels(size))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
