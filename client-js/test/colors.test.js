// The people palette: any two of the first 12 colors at least ΔE76 29 apart in CIELAB (all 16 at
// least 26), each readable on white; pickColor gives the first free one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PALETTE, pickColor } from '../src/index.js';

const linear = (c) => (c > 0.04045 ? ((c + 0.055) / 1.055) ** 2.4 : c / 12.92);
const rgb = (hex) => [1, 3, 5].map((i) => linear(parseInt(hex.slice(i, i + 2), 16) / 255));

function lab(hex) {
  const [r, g, b] = rgb(hex);
  const f = (t) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  const x = f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
  const y = f(0.2126 * r + 0.7152 * g + 0.0722 * b);
  const z = f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
}

function closest(colors) {
  let min = Infinity;
  for (let i = 0; i < colors.length; i++) {
    for (let j = i + 1; j < colors.length; j++) {
      min = Math.min(min, Math.hypot(...lab(colors[i]).map((v, k) => v - lab(colors[j])[k])));
    }
  }
  return min;
}

test('the first 12 colors stay apart, and all 16 nearly as far', () => {
  assert.equal(new Set(PALETTE).size, 16);
  assert.ok(closest(PALETTE.slice(0, 12)) >= 29, `12: ΔE ${closest(PALETTE.slice(0, 12))}`);
  assert.ok(closest(PALETTE) >= 26, `16: ΔE ${closest(PALETTE)}`);
});

test('every color reads on white (contrast at least 3:1)', () => {
  for (const color of PALETTE) {
    const [r, g, b] = rgb(color);
    const contrast = 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05);
    assert.ok(contrast >= 3, `${color}: ${contrast.toFixed(2)}`);
  }
});

test('pickColor gives the first color nobody present uses', () => {
  assert.equal(pickColor([], 'a'), PALETTE[0]);
  assert.equal(pickColor([PALETTE[0], PALETTE[2].toUpperCase()], 'a'), PALETTE[1]);
  const seen = [];
  for (let i = 0; i < 12; i++) {
    seen.push(pickColor(seen, `client-${i}`));
  }
  assert.equal(new Set(seen).size, 12);
  const full = pickColor(PALETTE, 'someone');
  assert.ok(PALETTE.includes(full));
  assert.equal(pickColor(PALETTE, 'someone'), full, 'stable when all are taken');
});
