#!/usr/bin/env node
/**
 * Speeds up @medplum/core 4.5's FHIR validator (run by `npm ci` as postinstall; idempotent).
 *
 * Each rewrite replaces one minified function of the bundle (ESM and CJS, which have the same code under other
 * identifiers) by code that computes the same thing with less work; the identifiers it calls are captured from the
 * matched code. What each does, and why its results are the same:
 *
 * - property reader (`getTypedPropertyValueWithSchema`), which every schema element of every visited object goes
 *   through, looked for `name + Type` and `'_' + name + Type` for each of the element's types in order (about fifty
 *   for `Extension.value[x]`), building and capitalising the names each time. The names are now built once per
 *   element definition (a WeakMap keyed by the parsed schema element). For elements of five types or more, a map
 *   from every candidate name (plain and `_`) to its type's position is built as well, and when the object read is a
 *   plain object (prototype `Object.prototype`) its own property names are walked instead
 *   (`Object.getOwnPropertyNames`, non-enumerable ones included: a handful, against a hundred lookups). The type kept
 *   is the lowest position among the names whose value is not `undefined`: the loop stops at that type, since a
 *   lookup on such an object finds only its own properties and those of `Object.prototype`, and the map is not built
 *   when a candidate name is a property of `Object.prototype` (none is, in FHIR). That type's two values are then
 *   read as the loop reads them (reading a data property twice changes nothing). Other objects (String wrappers
 *   carrying primitive extensions, null-prototype or class objects, arrays) and elements of fewer types take the loop.
 * - additional-property check (`isChoiceOfType`) split every property name of every object with a regular
 *   expression to look for a choice-type prefix (`valueQuantity` → `value[x]`): the prefix found is cached per
 *   (schema, property name); the property is still read with medplum's own reader.
 * - nested property reader (`getNestedProperty`) split its key on `.` and built arrays for every call, while the
 *   crawler calls it with single names: a key without `.` now returns `[read(value, key)]` at once, which is what the
 *   split and its loop produce for one segment (keys with `.`, from slice discriminators, go the original way).
 * - path builder (`getTypedPropertyValueWithPath`'s helper) copied each typed value with an object spread to add its
 *   path: the largest cost left after the rewrites above (a spread site that sees objects of many hidden classes
 *   takes V8's generic, slow path; building the literal instead made validation about 1.7× faster). The values it gets
 *   come from medplum's property reader, which only returns `{type, value}` objects (the script checks that code:
 *   `getTypedPropertyValue`, the end of the schema reader and its `{type, value}` builder, the schema-less reader
 *   and `toTypedValue`), so `{type: v.type, value: v.value, path}` is the same object, built directly.
 * - null check (`checkObjectForNull`), run over the whole resource, took `Object.entries` of every object, string
 *   included (an array of one-character entries for every string of an array), and built each property's path and
 *   `_` partner name before knowing whether a problem was there. It now walks `Object.keys` (the same keys in the
 *   same order, each value read once as `entries` does), returns at once for strings, numbers and booleans (their
 *   entries are only characters, which raise nothing), and builds paths and partner names only where they are used.
 *
 * `src/fhir/medplum-speed-up.test.ts` validates valid and broken resources (thousands of variants, choice types and
 * primitive extensions included) and reads properties of odd objects with the patched and the original code side by
 * side; `bench/validator` measures the gain.
 *
 * The original file is kept beside the patched one (`index.pristine.mjs` / `.cjs`): re-running patches from it; an
 * unpatched bundle (a new medplum version) replaces the kept copy.
 * When a pattern is not found exactly once (another medplum version), or the code a rewrite relies on has changed,
 * the file is left as it is and a warning says so: the validator stays correct, only slower.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const MARKER = '/* relais: validator speed-up */';

const id = String.raw`[\w$]+`;
/** `name` as a regular expression (minified identifiers may hold `$`). */
const lit = (name) => name.replace(/\$/g, '\\$');
/** The captures of `re`'s one match in `source`, or undefined when it matches zero or several times. */
const once = (source, re) => {
  const all = [...source.matchAll(new RegExp(re, 'g'))];
  return all.length === 1 ? all[0] : undefined;
};

/** The helpers added at the end of the file (function declarations are hoisted); their state lives on themselves. */
const HELPERS = `
${MARKER}
function __relaisChoiceNames(t,cap){let c=__relaisChoiceNames.c||(__relaisChoiceNames.c=new WeakMap),x=c.get(t);if(!x){let u=t.path.substring(t.path.lastIndexOf(".")+1),l=t.type.map(p=>{let m=u.replace("[x]",cap(p.code));return[m,"_"+m,p.code]}),k=null;if(l.length>=__relaisChoiceNames.min&&l.every(([m,um])=>!(m in Object.prototype)&&!(um in Object.prototype))){k=new Map;l.forEach(([m,um],j)=>{k.has(m)||k.set(m,j);k.has(um)||k.set(um,j)})}x={names:l,index:k};c.set(t,x)}return x}
__relaisChoiceNames.min=5;
function __relaisChoicePrefix(t,e){let c=__relaisChoicePrefix.c||(__relaisChoicePrefix.c=new WeakMap),m=c.get(t);m||c.set(t,m=new Map);let o=m.get(e);if(o!==void 0)return o;o=null;let p="";for(let s of e.split(/(?=[A-Z])/g)){p+=s;if(t[p+"[x]"]){o=p;break}}m.size<1000&&m.set(e,o);return o}
`;

/**
 * Each rewrite: what the minified 4.5 code looks like (identifiers captured), its replacement, and optionally a check
 * of other code of the bundle that the replacement relies on (given the source and the captures).
 */
const REWRITES = [
  {
    name: 'property reader',
    find: new RegExp(
      String.raw`function (${id})\(r,e,t\)\{let n=r\.value,i=t\.type;if\(!i\|\|i\.length===0\)return;let o,s="undefined",a,c=t\.path\.lastIndexOf\("\."\),u=t\.path\.substring\(c\+1\);` +
        String.raw`for\(let p of i\)\{let m=u\.replace\("\[x\]",(${id})\(p\.code\)\);if\(o=n\[m\],a=n\["_"\+m\],o!==void 0\|\|a!==void 0\)\{s=p\.code;break\}\}`,
    ),
    replace: (_m, fn, cap) =>
      `function ${fn}(r,e,t){let n=r.value,i=t.type;if(!i||i.length===0)return;let o,s="undefined",a;` +
      `{let x=__relaisChoiceNames(t,${cap});if(x.index!==null&&n!==null&&typeof n=="object"&&Object.getPrototypeOf(n)===Object.prototype){let b=-1;for(let q of Object.getOwnPropertyNames(n)){let j=x.index.get(q);j!==void 0&&(b<0||j<b)&&n[q]!==void 0&&(b=j)}if(b>=0){let[m,um,code]=x.names[b];o=n[m];a=n[um];s=code}}else ` +
      `for(let[m,um,code]of x.names){if(o=n[m],a=n[um],o!==void 0||a!==void 0){s=code;break}}}`,
    // the new block's own names must not hide the capitalising function it calls
    check: (_source, _fn, cap) => !['x', 'b', 'q', 'j', 'm', 'um', 'code'].includes(cap),
  },
  {
    name: 'additional-property check',
    find: new RegExp(
      String.raw`function (${id})\(r,e,t\)\{let n="";e\.startsWith\("_"\)&&\(e=e\.slice\(1\),n="_"\);let i=e\.split\(/\(\?=\[A-Z\]\)/g\),o="";` +
        String.raw`for\(let s of i\)\{o\+=s;let a=o\+"\[x\]";if\(t\[a\]\)return (${id})\(r,o\)\?n\+a:void 0\}\}`,
    ),
    replace: (_m, fn, get) =>
      `function ${fn}(r,e,t){let n="";e.startsWith("_")&&(e=e.slice(1),n="_");let o=__relaisChoicePrefix(t,e);if(o!==null)return ${get}(r,o)?n+o+"[x]":void 0}`,
  },
  {
    name: 'nested property reader',
    find: new RegExp(
      String.raw`function (${id})\(r,e,t\)\{if\(r===void 0\)return\[void 0\];if\(e==="\$this"\)return\[r\];let n=t\?\.withPath\?(${id}):(${id}),\[i,\.\.\.o\]=e\.split\("\."\),s=\[n\(r,i,t\)\];` +
        String.raw`for\(let a of o\)\{let c=\[\];for\(let u of s\)if\(Array\.isArray\(u\)\)for\(let p of u\)c\.push\(n\(p,a,t\)\);else\(t\?\.withPath&&u\?\.value!==void 0\|\|!t\?\.withPath&&u!==void 0\)&&c\.push\(n\(u,a,t\)\);s=c\}return s\}`,
    ),
    replace: (m, fn, withPath, plain) =>
      m.replace('if(e==="$this")return[r];', `if(e==="$this")return[r];if(typeof e=="string"&&e.indexOf(".")<0)return[(t?.withPath?${withPath}:${plain})(r,e,t)];`),
  },
  {
    name: 'null check',
    find: new RegExp(
      String.raw`function (${id})\(r,e,t\)\{for\(let\[n,i\]of Object\.entries\(r\)\)\{let o=\x60\$\{e\}\.\$\{n\}\x60,s=n\.startsWith\("_"\)\?n\.slice\(1\):\x60_\$\{n\}\x60;` +
        String.raw`if\(i===null\)t\.push\((${id})\(o,"Invalid null value"\)\);else if\(Array\.isArray\(i\)\)for\(let a=0;a<i\.length;a\+\+\)i\[a\]===void 0\?t\.push\(\2\(\x60\$\{o\}\[\$\{a\}\]\x60,"Invalid undefined value"\)\):` +
        String.raw`i\[a\]===null&&!r\[s\]\?\.\[a\]\?t\.push\(\2\(\x60\$\{o\}\[\$\{a\}\]\x60,"Invalid null value"\)\):i\[a\]&&\1\(i\[a\],\x60\$\{o\}\[\$\{a\}\]\x60,t\);else typeof i=="object"&&\1\(i,o,t\)\}\}`,
    ),
    replace: (_m, fn, issue) =>
      `function ${fn}(r,e,t){if(typeof r=="string"||typeof r=="number"||typeof r=="boolean")return;for(let n of Object.keys(r)){let i=r[n];` +
      `if(i===null)t.push(${issue}(\`\${e}.\${n}\`,"Invalid null value"));else if(Array.isArray(i)){let o=\`\${e}.\${n}\`,s=n.startsWith("_")?n.slice(1):\`_\${n}\`;` +
      `for(let a=0;a<i.length;a++)i[a]===void 0?t.push(${issue}(\`\${o}[\${a}]\`,"Invalid undefined value")):i[a]===null&&!r[s]?.[a]?t.push(${issue}(\`\${o}[\${a}]\`,"Invalid null value")):i[a]&&${fn}(i[a],\`\${o}[\${a}]\`,t)}` +
      `else typeof i=="object"&&${fn}(i,\`\${e}.\${n}\`,t)}}`,
  },
  {
    name: 'path builder',
    find: new RegExp(
      String.raw`function (${id})\(r,e,t\)\{let n=r\.path;return (${id})\((${id})\(r,e,t\),n,e\)\}function \2\(r,e,t\)\{let n=e\?e\+"\.":"";return r===void 0\?\{type:"undefined",value:void 0,path:\x60\$\{n\}\$\{t\}\x60\}:` +
        String.raw`Array\.isArray\(r\)\?r\.map\(\(i,o\)=>\(\{\.\.\.i,path:\x60\$\{n\}\$\{t\}\[\$\{o\}\]\x60\}\)\):\{\.\.\.r,path:\x60\$\{n\}\$\{t\}\x60\}\}`,
    ),
    replace: (m) => m.replace('({...i,path:', '({type:i.type,value:i.value,path:').replace('{...r,path:', '{type:r.type,value:r.value,path:'),
    // valid only if what it copies is always a {type, value} object: check the readers that produce those values
    check: (source, _co, _po, get) => {
      const reader = once(source, String.raw`function ${lit(get)}\(r,e,t\)\{if\(!r\.value\)return;let n=${id}\(r\.type,e,t\?\.profileUrl\);return n\?(${id})\(r,e,n\):(${id})\(r,e\)\}`);
      if (!reader) return false;
      const [, withSchema, withoutSchema] = reader;
      const schemaEnd = once(
        source,
        String.raw`function ${lit(withSchema)}\(r,e,t\)\{let n=r\.value,i=t\.type;if\(!i\|\|i\.length===0\)return;let o,s="undefined",a,c=t\.path\.lastIndexOf\("\."\),u=t\.path\.substring\(c\+1\);` +
          String.raw`for\(let p of i\)\{let m=u\.replace\("\[x\]",${id}\(p\.code\)\);if\(o=n\[m\],a=n\["_"\+m\],o!==void 0\|\|a!==void 0\)\{s=p\.code;break\}\}` +
          String.raw`if\(a\)if\(Array\.isArray\(o\)\)\{o=o\.slice\(\);for\(let p=0;p<Math\.max\(o\.length,a\.length\);p\+\+\)o\[p\]=(${id})\(o\[p\],a\[p\]\)\}else if\(!o&&Array\.isArray\(a\)\)\{o=a\.slice\(\);for\(let p=0;p<a\.length;p\+\+\)o\[p\]=\1\(void 0,a\[p\]\)\}else o=\1\(o,a\);` +
          String.raw`if\(!${id}\(o\)\)return\(s==="Element"\|\|s==="BackboneElement"\)&&\(s=t\.type\[0\]\.code\),Array\.isArray\(o\)\?o\.map\(p=>(${id})\(p,s\)\):\2\(o,s\)\}` +
          String.raw`function \2\(r,e\)\{return e==="Resource"&&${id}\(r\)&&\(e=r\.resourceType\),\{type:e,value:r\}\}`,
      );
      const withoutSchemaCode = once(
        source,
        String.raw`function ${lit(withoutSchema)}\(r,e\)\{let t=r\.value;if\(!t\|\|typeof t!="object"\)return;let n;if\(e in t\)\{let i=t\[e\];Array\.isArray\(i\)\?n=i\.map\((${id})\):n=\1\(i\)\}` +
          String.raw`else\{let i=e\.endsWith\("\[x\]"\)\?e\.substring\(0,e\.length-3\):e;for\(let o of Object\.values\(${id}\)\)\{let s=i\+${id}\(o\);if\(s in t\)\{let a=t\[s\];Array\.isArray\(a\)\?n=a\.map\(c=>\(\{type:o,value:c\}\)\):n=\{type:o,value:a\};break\}\}\}` +
          String.raw`if\(Array\.isArray\(n\)\)\{if\(n\.length===0\|\|${id}\(n\[0\]\)\)return\}else if\(${id}\(n\)\)return;return n\}`,
      );
      if (!schemaEnd || !withoutSchemaCode) return false;
      // toTypedValue: a chain of conditions, each giving {type: …, value: r}
      return !!once(source, String.raw`function ${lit(withoutSchemaCode[1])}\(r\)\{return r==null\?\{type:"undefined",value:void 0\}:(?:[^{}?:]+\?\{type:[^{},]+,value:r\}:)+\{type:[^{},]+,value:r\}\}`);
    },
  },
];

/**
 * Rewrites one bundle of @medplum/core; `missing` names the rewrites whose code was not found or whose check failed
 * (source unchanged).
 */
export function speedUp(source) {
  if (source.includes(MARKER)) return { source, missing: [], already: true };
  const missing = REWRITES.filter((r) => {
    const m = once(source, r.find);
    return !m || (r.check && !r.check(source, ...m.slice(1)));
  }).map((r) => r.name);
  if (missing.length) return { source, missing, already: false };
  let out = source;
  for (const r of REWRITES) out = out.replace(r.find, r.replace);
  const map = out.lastIndexOf('\n//# sourceMappingURL=');
  return { source: map < 0 ? out + HELPERS : out.slice(0, map) + HELPERS + out.slice(map), missing: [], already: false };
}

/** The pristine copy kept beside a bundle: same folder (its relative imports resolve), same module kind. */
export const pristinePath = (file) => file.replace(/\.(mjs|cjs)$/, '.pristine.$1');

/**
 * An unpatched bundle is the original (a fresh install, or an upgrade that left an older copy beside it): it becomes
 * the kept copy. A patched one is patched again from its kept copy, so that a newer version of this script applies.
 */
export function patchFile(file) {
  const keep = pristinePath(file);
  const current = fs.readFileSync(file, 'utf8');
  if (current.includes(MARKER) && !fs.existsSync(keep)) return `${file}: patched, but its original copy is gone; reinstall @medplum/core`;
  const original = current.includes(MARKER) ? fs.readFileSync(keep, 'utf8') : current;
  const r = speedUp(original);
  if (r.missing.length) return `${file}: not patched (code not found: ${r.missing.join(', ')}); validation stays correct but slower`;
  if (original === current) fs.writeFileSync(keep, original);
  if (current !== r.source) fs.writeFileSync(file, r.source);
  return undefined;
}

/** The folder of the package a resolved file belongs to (its package.json names @medplum/core). */
export function packageRoot(file) {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === '@medplum/core') return dir;
  }
  throw new Error(`no @medplum/core package above ${file}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const require = createRequire(path.join(process.cwd(), 'package.json'));
  let pkgDir;
  try {
    pkgDir = packageRoot(require.resolve('@medplum/core'));
  } catch {
    console.warn('relais: @medplum/core is not installed; validator speed-up skipped');
    process.exit(0);
  }
  const { version } = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  const problems = ['dist/esm/index.mjs', 'dist/cjs/index.cjs'].map((f) => patchFile(path.join(pkgDir, f))).filter(Boolean);
  for (const p of problems) console.warn(`relais: ${p}`);
  if (!problems.length) console.log(`relais: validator speed-up applied to @medplum/core ${version}`);
}
