/**
 * Value sets read by `document('../jeuxDeValeurs/JDV_x.xml')` are parsed once per process instead of once per
 * validation: SaxonJS copies a supplied `documentPool` into each transformation but never adds to it, so without this
 * every run re-reads and re-parses every value set it touches.
 *
 * Only string literals naming existing local `.xml` files (resolved against the schema file, as `document()` does
 * with the stylesheet's static base URI) are preloaded; any other `document()` call still works, uncached.
 */
import fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadSaxonDocument, type SaxonDocument } from './saxon-runtime.js';

const parsed = new Map<string, Promise<SaxonDocument>>();

/** `.xml` paths appearing as string literals in XPath expressions. */
export function xmlLiterals(expressions: readonly string[]): string[] {
  const found = new Set<string>();
  for (const e of expressions) {
    for (const m of e.matchAll(/"([^"]+\.xml)"|'([^']+\.xml)'/gi)) found.add(m[1] ?? m[2] ?? '');
  }
  found.delete('');
  return [...found];
}

/**
 * Loads (or reuses) the documents the literals designate, keyed by absolute file URL as SaxonJS resolves them.
 * @param baseFile the schema file: relative literals resolve against it.
 */
export async function preloadDocuments(baseFile: string, literals: readonly string[]): Promise<Record<string, SaxonDocument>> {
  const base = pathToFileURL(baseFile);
  const pool: Record<string, SaxonDocument> = {};
  for (const literal of literals) {
    let url: URL;
    try {
      url = new URL(literal, base);
    } catch {
      continue;
    }
    if (url.protocol !== 'file:' || !fs.existsSync(url)) continue;
    let doc = parsed.get(url.href);
    if (!doc) {
      doc = loadSaxonDocument(fileURLToPath(url));
      parsed.set(url.href, doc);
      doc.catch(() => parsed.delete(url.href));
    }
    try {
      pool[url.href] = await doc;
    } catch {
      // not well-formed or unreadable: leave it to document() at run time, which reports the error in context
    }
  }
  return pool;
}
