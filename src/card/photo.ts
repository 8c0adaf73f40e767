/**
 * A generated portrait for sample cards: a 240×320 baseline JPEG (jpeg-js)
 * showing a neutral head-and-shoulders silhouette on a light background,
 * with the JFIF density set to 600 dpi as the seed's photo specification
 * requires (seed 004 第參章 五: JPEG, 600 dpi). Deterministic for a given seed.
 */
import jpeg from 'jpeg-js';

export interface PortraitOptions {
  readonly width?: number;
  readonly height?: number;
  readonly quality?: number;
  /** Varies colours slightly, so different sample citizens get different photos. */
  readonly seed?: number;
}

const DPI = 600;

/** Sets the JFIF APP0 density (units 1 = dots per inch) of a JPEG produced by jpeg-js. */
export function setJfifDensity(jpg: Buffer, dpi: number): Buffer {
  const out = Buffer.from(jpg);
  // SOI, then APP0: FFE0 len 'JFIF\0' version(2) units(1) Xdensity(2) Ydensity(2)
  if (
    out.readUInt16BE(0) !== 0xffd8 ||
    out.readUInt16BE(2) !== 0xffe0 ||
    out.toString('latin1', 6, 11) !== 'JFIF\0'
  ) {
    throw new Error('not a JFIF image');
  }
  out[13] = 1;
  out.writeUInt16BE(dpi, 14);
  out.writeUInt16BE(dpi, 16);
  return out;
}

export function portraitJpeg(opts: PortraitOptions = {}): Buffer {
  const width = opts.width ?? 240;
  const height = opts.height ?? 320;
  const seed = opts.seed ?? 0;
  const data = Buffer.alloc(width * height * 4);
  const bg = [222 - (seed % 17), 230, 238];
  const skin = [224, 187 - (seed % 23), 160];
  const hair = [40 + (seed % 30), 32, 28];
  const cloth = [52, 70 + (seed % 40), 110];
  const cx = width / 2;
  const headY = height * 0.4;
  const rx = width * 0.2;
  const ry = height * 0.19;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = (x - cx) / rx;
      const dy = (y - headY) / ry;
      const inHead = dx * dx + dy * dy <= 1;
      const inHair = dx * dx + ((y - headY + ry * 0.35) / (ry * 0.8)) ** 2 <= 1.1 && y < headY - ry * 0.25;
      const shoulder =
        (x - cx) ** 2 / (width * 0.45) ** 2 + (y - height * 1.02) ** 2 / (height * 0.3) ** 2 <= 1;
      const neck = Math.abs(x - cx) < rx * 0.45 && y > headY && y < height * 0.75;
      const shade = 1 - (0.12 * y) / height;
      const c = inHair ? hair : inHead || neck ? skin : shoulder ? cloth : bg;
      const i = (y * width + x) * 4;
      data[i] = Math.round(c[0]! * shade);
      data[i + 1] = Math.round(c[1]! * shade);
      data[i + 2] = Math.round(c[2]! * shade);
      data[i + 3] = 255;
    }
  }
  const { data: jpg } = jpeg.encode({ width, height, data }, opts.quality ?? 85);
  return setJfifDensity(jpg, DPI);
}
