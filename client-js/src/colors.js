// Colors for the people in a document that stay apart: a fixed palette of 16, chosen greedily for
// the largest smallest distance in CIELAB (ΔE76 ≥ 29 between any two of the first 12, ≥ 26 among
// all 16), each dark enough to read on white (contrast ≥ 3:1). `pickColor` gives a newcomer the
// first one nobody present uses.

/** The palette, in the order newcomers get it. */
export const PALETTE = Object.freeze([
  '#d62728',
  '#2ca02c',
  '#4363d8',
  '#7f7f7f',
  '#f032e6',
  '#b8860b',
  '#1f77b4',
  '#000075',
  '#a0522d',
  '#0f9e99',
  '#c0399f',
  '#911eb4',
  '#d1495b',
  '#9467bd',
  '#800000',
  '#6b8e23',
]);

/**
 * The first palette color not in `taken` (the colors of the others present); when all 16 are
 * taken, the one `id` hashes to.
 * @param {Iterable<string>} taken
 * @param {string} id this client's id
 * @returns {string}
 */
export function pickColor(taken, id) {
  const used = new Set([...taken].map((color) => color.toLowerCase()));
  const free = PALETTE.find((color) => !used.has(color));
  if (free !== undefined) {
    return free;
  }
  let hash = 0;
  for (let i = 0; i < id.length; i++) {
    hash = (Math.imul(hash, 31) + id.charCodeAt(i)) | 0;
  }
  return PALETTE[((hash % PALETTE.length) + PALETTE.length) % PALETTE.length];
}
