#!/usr/bin/env node
/**
 * Speeds up @medplum/core 4.5's FHIR validator (run by `npm ci` as postinstall; idempotent).
 *
 * Profiling FR Core Patient validation showed half of its time in two helpers that rebuild strings at every call:
 * - the property reader (`getTypedPropertyValueWithSchema`) builds `name + Type` and `'_' + name + Type` for every
 *   element of every object it visits, for each of the element's types (about fifty for `Extension.value[x]`),
 *   capitalising the type code each time;
 * - the additional-property check splits every property name of every object with a regular expression to look for
 *   a choice-type prefix.
 * The rewritten helpers compute those names once per element definition (a WeakMap keyed by the parsed schema
 * element) and the choice prefix once per (schema, property name); the lookups and their order are the same, so the
 * results are identical. `src/fhir/medplum-speed-up.test.ts` validates valid and broken resources with the patched
 * and the original code side by side; `bench/validator` measures the gain.
 *
 * The original file is kept beside the patched one (`index.pristine.mjs` / `.cjs`): re-running patches from it; an
 * unpatched bundle (a new medplum version) replaces the kept copy.
 * When a pattern is not found (another medplum version), the file is left as it is and a warning says so: the
 * validator stays correct, only slower.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const MARKER = '/* relais: validator speed-up */';

const id = String.raw`[\w$]+`;

/** The helpers added at the end of the file (function declarations are hoisted); their state lives on themselves. */
const HELPERS = `
${MARKER}
function __relaisChoiceNames(t,cap){let c=__relaisChoiceNames.c||(__relaisChoiceNames.c=new WeakMap),x=c.get(t);if(!x){let u=t.path.substring(t.path.lastIndexOf(".")+1);x=t.type.map(p=>{let m=u.replace("[x]",cap(p.code));return[m,"_"+m,p.code]});c.set(t,x)}return x}
function __relaisChoicePrefix(t,e){let c=__relaisChoicePrefix.c||(__relaisChoicePrefix.c=new WeakMap),m=c.get(t);m||c.set(t,m=new Map);let o=m.get(e);if(o!==void 0)return o;o=null;let p="";for(let s of e.split(/(?=[A-Z])/g)){p+=s;if(t[p+"[x]"]){o=p;break}}m.size<1000&&m.set(e,o);return o}
`;

/** Each rewrite: what the minified 4.5 code looks like (identifiers captured), and its replacement. */
const REWRITES = [
  {
    name: 'property reader',
    find: new RegExp(
      String.raw`function (${id})\(r,e,t\)\{let n=r\.value,i=t\.type;if\(!i\|\|i\.length===0\)return;let o,s="undefined",a,c=t\.path\.lastIndexOf\("\."\),u=t\.path\.substring\(c\+1\);` +
        String.raw`for\(let p of i\)\{let m=u\.replace\("\[x\]",(${id})\(p\.code\)\);if\(o=n\[m\],a=n\["_"\+m\],o!==void 0\|\|a!==void 0\)\{s=p\.code;break\}\}`,
    ),
    replace: (_m, fn, cap) =>
      `function ${fn}(r,e,t){let n=r.value,i=t.type;if(!i||i.length===0)return;let o,s="undefined",a;` +
      `for(let[m,um,code]of __relaisChoiceNames(t,${cap})){if(o=n[m],a=n[um],o!==void 0||a!==void 0){s=code;break}}`,
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
];

/** Rewrites one bundle of @medplum/core; `missing` names the rewrites whose code was not found (source unchanged). */
export function speedUp(source) {
  if (source.includes(MARKER)) return { source, missing: [], already: true };
  const missing = REWRITES.filter((r) => (source.match(new RegExp(r.find, 'g')) ?? []).length !== 1).map((r) => r.name);
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
