/**
 * Positional access inside delimited text by `indexOf` scanning: nothing is split into arrays, slices are
 * taken only for the piece asked for.
 */

/** The n-th (1-based) piece of `text` cut at `sep`; `''` when absent. An empty `sep` means "not delimited". */
export function piece(text: string, sep: string, n: number): string {
  if (sep === '') return n === 1 ? text : '';
  let start = 0;
  for (let i = 1; i < n; i++) {
    const k = text.indexOf(sep, start);
    if (k === -1) return '';
    start = k + 1;
  }
  const end = text.indexOf(sep, start);
  if (start === 0 && end === -1) return text;
  return end === -1 ? text.slice(start) : text.slice(start, end);
}

/** Number of pieces (`''` counts as 0, `a` as 1, `a~` as 2). */
export function pieceCount(text: string, sep: string): number {
  if (text === '') return 0;
  if (sep === '') return 1;
  let count = 1;
  for (let k = text.indexOf(sep); k !== -1; k = text.indexOf(sep, k + 1)) count++;
  return count;
}

/** All pieces (`''` gives `[]`). */
export function pieces(text: string, sep: string): string[] {
  if (text === '') return [];
  return sep === '' ? [text] : text.split(sep);
}

/**
 * `text` with its n-th piece replaced by `value`, adding empty pieces when `text` has fewer than n.
 * Throws when `sep` is empty and n > 1 (the message defines no such delimiter).
 */
export function replacePiece(text: string, sep: string, n: number, value: string): string {
  if (sep === '') {
    if (n !== 1) throw new Error('cannot address a sub-element: the message defines no such delimiter');
    return value;
  }
  let start = 0;
  for (let i = 1; i < n; i++) {
    const k = text.indexOf(sep, start);
    if (k === -1) return text + sep.repeat(n - i) + value;
    start = k + 1;
  }
  const end = text.indexOf(sep, start);
  return text.slice(0, start) + value + (end === -1 ? '' : text.slice(end));
}
