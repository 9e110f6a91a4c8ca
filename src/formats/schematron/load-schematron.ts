/**
 * Loads a Schematron schema from disk and resolves `sch:include` (and the ISO 2016 `sch:extends/@href`) into one
 * tree. Hrefs are resolved relative to the file that contains them; only local files are read.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { childElements, parseXmlTree, XmlTreeError, type XmlElementNode, type XmlNode } from './xml-tree.js';

export const SCH_NS = 'http://purl.oclc.org/dsdl/schematron';

/** A schema with every include resolved, plus the files it was built from. */
export interface LoadedSchematron {
  /** Absolute path of the main schema file. */
  mainFile: string;
  /** The `sch:schema` element, includes replaced by their targets. */
  root: XmlElementNode;
  /** Every file read, in first-use order, with the SHA-256 of its bytes. */
  files: { path: string; sha256: string }[];
  /** Non-fatal findings, e.g. an href that only matched a file name case-insensitively. */
  warnings: string[];
}

interface LoadState {
  parsed: Map<string, XmlElementNode>;
  files: { path: string; sha256: string }[];
  warnings: string[];
}

/**
 * The ANS kit is written on Windows: some hrefs differ in case from the file names (`E_directiveAnticipee_int.sch`
 * for `E_directiveanticipee_int.sch`). When a file does not exist, a unique case-insensitive match in the same
 * directory is used instead, with a warning.
 */
function existingPath(file: string, from: string, state: LoadState): string {
  if (fs.existsSync(file)) return file;
  const dir = path.dirname(file);
  const wanted = path.basename(file).toLowerCase();
  let candidates: string[] = [];
  try {
    candidates = fs.readdirSync(dir).filter((f) => f.toLowerCase() === wanted);
  } catch {
    return file; // the directory is missing too: let the read report it
  }
  const [only] = candidates;
  if (candidates.length !== 1 || only === undefined) return file;
  const actual = path.join(dir, only);
  state.warnings.push(`${from}: '${path.basename(file)}' not found, using '${only}' (file names differ only in case)`);
  return actual;
}

function readTree(file: string, state: LoadState): XmlElementNode {
  const cached = state.parsed.get(file);
  if (cached) return cached;
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new XmlTreeError(file, `cannot read: ${e instanceof Error ? e.message : String(e)}`);
  }
  const tree = parseXmlTree(bytes.toString('utf8'), file);
  state.parsed.set(file, tree);
  state.files.push({ path: file, sha256: createHash('sha256').update(bytes).digest('hex') });
  return tree;
}

function findById(e: XmlElementNode, id: string): XmlElementNode | undefined {
  if (e.attrs['id'] === id) return e;
  for (const c of childElements(e)) {
    const found = findById(c, id);
    if (found) return found;
  }
  return undefined;
}

/** The element an href points at: a whole document, or `file#id`. */
function target(from: XmlElementNode, href: string, state: LoadState): XmlElementNode {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) && !href.startsWith('file:')) {
    throw new XmlTreeError(from.file, `only local files can be included, not ${href}`);
  }
  const [filePart = '', fragment] = href.split('#', 2);
  const wanted = filePart === '' ? from.file : path.resolve(path.dirname(from.file), decodeURI(filePart.replace(/^file:\/\//, '')));
  const file = existingPath(wanted, from.file, state);
  const doc = readTree(file, state);
  if (fragment === undefined) return doc;
  const found = findById(doc, fragment);
  if (!found) throw new XmlTreeError(file, `no element with id '${fragment}' (referenced from ${from.file})`);
  return found;
}

function resolveChildren(e: XmlElementNode, state: LoadState, stack: string[]): XmlElementNode {
  const children: XmlNode[] = [];
  for (const child of e.children) {
    if (child.kind === 'text') {
      children.push(child);
    } else if (child.ns === SCH_NS && child.local === 'include') {
      children.push(resolveReference(child, state, stack));
    } else if (child.ns === SCH_NS && child.local === 'extends' && child.attrs['href'] !== undefined) {
      // ISO 2016: an external abstract rule; its content takes the place of the extends element
      children.push(...resolveReference(child, state, stack).children);
    } else {
      children.push(resolveChildren(child, state, stack));
    }
  }
  return { ...e, children };
}

function resolveReference(ref: XmlElementNode, state: LoadState, stack: string[]): XmlElementNode {
  const href = ref.attrs['href'];
  if (href === undefined) throw new XmlTreeError(ref.file, `<${ref.name}> without href`);
  const key = `${path.resolve(path.dirname(ref.file), href)}`;
  if (stack.includes(key)) throw new XmlTreeError(ref.file, `include cycle: ${[...stack, key].join(' → ')}`);
  return resolveChildren(target(ref, href, state), state, [...stack, key]);
}

/**
 * Reads a Schematron schema and everything it includes.
 * @param schPath path of the main `.sch` file.
 * @throws XmlTreeError naming the offending file for unreadable or malformed files, bad hrefs and include cycles.
 */
export function loadSchematron(schPath: string): LoadedSchematron {
  const mainFile = path.resolve(schPath);
  const state: LoadState = { parsed: new Map(), files: [], warnings: [] };
  const main = readTree(mainFile, state);
  if (main.ns !== SCH_NS || main.local !== 'schema') {
    throw new XmlTreeError(mainFile, `root element must be sch:schema in ${SCH_NS}, found <${main.name}> in '${main.ns}'`);
  }
  const root = resolveChildren(main, state, [mainFile]);
  return { mainFile, root, files: state.files, warnings: [...new Set(state.warnings)] };
}
