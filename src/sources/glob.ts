/** A file-name glob (`*` any run of characters, `?` one character, `{a,b}` alternatives) as an anchored RegExp. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let inAlt = false;
  for (const c of glob) {
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') (re += '(?:', (inAlt = true));
    else if (c === '}' && inAlt) (re += ')', (inAlt = false));
    else if (c === ',' && inAlt) re += '|';
    else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** File names from outside are untrusted: no separators, no control characters, no leading dot, bounded length. */
export function isSafeFileName(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  return name.length > 0 && name.length <= 255 && !/[/\\\u0000-\u001f\u007f]/.test(name) && !name.startsWith('.') && name !== '..';
}
