/**
 * Documents read by `doc()` / `document()` (value sets, terminologies), parsed once per process.
 *
 * SaxonJS copies a supplied `documentPool` into each transformation but never adds to it, so without this every run
 * re-reads and re-parses every value set it touches. Two ways in:
 * - preload: string literals naming existing local `.xml` files (the ANS `'../jeuxDeValeurs/JDV_x.xml'` lets),
 *   resolved against the schema file as `document()` does with the stylesheet's static base URI;
 * - learning: the generated stylesheet announces every other document URI it reads (`resource-functions.ts`); the
 *   validator then parses it for the following runs. URIs that do not exist are remembered too, so they are not
 *   announced again.
 * Parsed documents are shared by all validators of the process and kept for its lifetime.
 */
import fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadSaxonDocument, type SaxonDocument } from './saxon-runtime.js';

const parsed = new Map<string, Promise<SaxonDocument | undefined>>();

/** `.xml` paths appearing as string literals in XPath expressions. */
export function xmlLiterals(expressions: readonly string[]): string[] {
  const found = new Set<string>();
  for (const e of expressions) {
    for (const m of e.matchAll(/"([^"]+\.xml)"|'([^']+\.xml)'/gi)) found.add(m[1] ?? m[2] ?? '');
  }
  found.delete('');
  return [...found];
}

/** Parses a local file once per process; undefined when it is missing or not well-formed. */
function parseOnce(url: URL): Promise<SaxonDocument | undefined> {
  let doc = parsed.get(url.href);
  if (!doc) {
    doc = fs.existsSync(url) ? loadSaxonDocument(fileURLToPath(url)).catch(() => undefined) : Promise.resolve(undefined);
    parsed.set(url.href, doc);
  }
  return doc;
}

/** The documents of one validator, keyed by absolute file URL, plus the URIs known to be absent. */
export class DocumentPool {
  readonly documents: Record<string, SaxonDocument> = {};
  private readonly known = new Set<string>();

  /** URIs the stylesheet need not announce (pooled, or known to be missing or unreadable). */
  knownUris(): string[] {
    return [...this.known];
  }

  /** Adds the documents named by `.xml` literals, resolved against `baseFile`. */
  async preload(baseFile: string, literals: readonly string[]): Promise<void> {
    const base = pathToFileURL(baseFile);
    const urls: URL[] = [];
    for (const literal of literals) {
      try {
        const url = new URL(literal, base);
        if (url.protocol === 'file:' && fs.existsSync(url)) urls.push(url);
      } catch {
        // not a URI: document() would fail on it the same way at run time
      }
    }
    await this.add(urls);
  }

  /** Adds documents announced by a run (absolute URIs); non-file URIs are ignored. */
  async learn(uris: readonly string[]): Promise<void> {
    const urls: URL[] = [];
    for (const uri of new Set(uris)) {
      if (this.known.has(uri)) continue;
      try {
        const url = new URL(uri);
        if (url.protocol === 'file:') urls.push(url);
      } catch {
        this.known.add(uri);
      }
    }
    await this.add(urls);
  }

  private async add(urls: URL[]): Promise<void> {
    await Promise.all(
      urls.map(async (url) => {
        const doc = await parseOnce(url);
        if (doc) this.documents[url.href] = doc;
        this.known.add(url.href);
      }),
    );
  }
}
