import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

/**
 * Draws the Teams app icons into appPackage/ with no image library: a white shield with a check
 * mark, on the accent colour (color.png, 192x192) and alone on transparency (outline.png, 32x32,
 * white only, as Teams requires). Run `node dist/src/tools/drawIcons.js` after changing them and
 * commit the PNGs.
 */

/** The manifest's accentColor, #3B5BDB. */
const ACCENT = [0x3b, 0x5b, 0xdb] as const;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A PNG of 8-bit RGBA pixels (`rgba.length === width * height * 4`), every row unfiltered. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per channel
  header[9] = 6; // truecolour with alpha
  const rows = Buffer.alloc(height * (1 + width * 4));
  for (let y = 0; y < height; y++) {
    rows[y * (1 + width * 4)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(rows, y * (1 + width * 4) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Whether a point of the unit square lies in the shield: straight sides, then tapering to a point. */
function inShield(x: number, y: number): boolean {
  if (y < 0.14 || y > 0.9) return false;
  const halfWidth = y <= 0.5 ? 0.32 : 0.32 * Math.cos(((y - 0.5) / 0.4) * (Math.PI / 2));
  return Math.abs(x - 0.5) <= halfWidth;
}

function distanceToSegment(px: number, py: number, [ax, ay]: number[], [bx, by]: number[]): number {
  const t = Math.max(0, Math.min(1, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
  return Math.hypot(px - (ax + t * (bx - ax)), py - (ay + t * (by - ay)));
}

function inCheck(x: number, y: number): boolean {
  const [a, b, c] = [
    [0.36, 0.49],
    [0.46, 0.6],
    [0.65, 0.37],
  ];
  return Math.min(distanceToSegment(x, y, a, b), distanceToSegment(x, y, b, c)) <= 0.045;
}

/** How much of a pixel a shape covers, from 4x4 samples. */
function coverage(px: number, py: number, size: number, inside: (x: number, y: number) => boolean): number {
  let hits = 0;
  for (let sy = 0; sy < 4; sy++) for (let sx = 0; sx < 4; sx++) if (inside((px + (sx + 0.5) / 4) / size, (py + (sy + 0.5) / 4) / size)) hits++;
  return hits / 16;
}

/** The colour icon: a white shield on the accent colour, the check mark in the accent colour. */
export function drawColorIcon(size = 192): Buffer {
  const rgba = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const white = coverage(x, y, size, (u, v) => inShield(u, v) && !inCheck(u, v));
      const i = (y * size + x) * 4;
      for (let c = 0; c < 3; c++) rgba[i + c] = Math.round(ACCENT[c] + (255 - ACCENT[c]) * white);
      rgba[i + 3] = 255;
    }
  }
  return encodePng(size, size, rgba);
}

/** The outline icon: the shield in white on transparency, the check mark cut out of it. */
export function drawOutlineIcon(size = 32): Buffer {
  const rgba = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      rgba.fill(255, i, i + 3);
      rgba[i + 3] = Math.round(255 * coverage(x, y, size, (u, v) => inShield(u, v) && !inCheck(u, v)));
    }
  }
  return encodePng(size, size, rgba);
}

if (require.main === module) {
  const dir = path.resolve(process.argv[2] ?? 'appPackage');
  writeFileSync(path.join(dir, 'color.png'), drawColorIcon());
  writeFileSync(path.join(dir, 'outline.png'), drawOutlineIcon());
  console.log(`wrote ${path.join(dir, 'color.png')} and ${path.join(dir, 'outline.png')}`);
}
