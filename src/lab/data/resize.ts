/**
 * Area (box-filter) resampling of an interleaved 8-bit image: each output pixel is the mean of
 * the source area it covers, with fractional weights at the edges, so downscaling 105 -> 28
 * or 140 -> 64 keeps thin strokes as grey instead of dropping them (as nearest would).
 */
export function resizeArea(src: ArrayLike<number>, sw: number, sh: number, channels: number, dw: number, dh: number): Uint8Array {
  const out = new Uint8Array(dw * dh * channels);
  const fx = sw / dw,
    fy = sh / dh;
  for (let oy = 0; oy < dh; oy++) {
    const y0 = oy * fy,
      y1 = y0 + fy;
    for (let ox = 0; ox < dw; ox++) {
      const x0 = ox * fx,
        x1 = x0 + fx;
      for (let c = 0; c < channels; c++) {
        let sum = 0,
          wsum = 0;
        for (let y = Math.floor(y0); y < Math.ceil(y1); y++) {
          const wy = Math.min(y + 1, y1) - Math.max(y, y0);
          for (let x = Math.floor(x0); x < Math.ceil(x1); x++) {
            const w = wy * (Math.min(x + 1, x1) - Math.max(x, x0));
            sum += w * src[(y * sw + x) * channels + c];
            wsum += w;
          }
        }
        out[(oy * dw + ox) * channels + c] = Math.round(sum / wsum);
      }
    }
  }
  return out;
}

/** The centred size x size window of an interleaved image (size <= width, height). */
export function centerCrop(src: ArrayLike<number>, w: number, h: number, channels: number, size: number): Uint8Array {
  if (size > w || size > h) throw new RangeError(`centerCrop: a ${size}x${size} window does not fit a ${w}x${h} image`);
  const x0 = Math.floor((w - size) / 2),
    y0 = Math.floor((h - size) / 2);
  const out = new Uint8Array(size * size * channels);
  for (let y = 0; y < size; y++) {
    for (let i = 0; i < size * channels; i++) out[y * size * channels + i] = src[((y0 + y) * w + x0) * channels + i];
  }
  return out;
}
