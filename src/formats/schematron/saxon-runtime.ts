/**
 * The few SaxonJS 2 entry points we use, typed. saxon-js ships no TypeScript declarations; it is loaded through
 * `createRequire` (it is a CommonJS bundle) and narrowed to this interface.
 */
import { createRequire } from 'node:module';

/** A document node built by SaxonJS (opaque here). */
export type SaxonDocument = object & { readonly __saxonDocument?: never };

/** Options of `SaxonJS.transform` used here (see the SaxonJS 2 documentation of `SaxonJS.transform`). */
export interface SaxonTransformOptions {
  /** A SEF (compiled stylesheet) as parsed JSON; SaxonJS keeps its own annotations on it, so reuse the object. */
  stylesheetInternal: object;
  /** The document to validate, as parsed by {@link parseSaxonDocument}. */
  sourceNode: SaxonDocument;
  destination: 'serialized';
  /** Global parameters keyed by EQName (`Q{uri}local`). */
  stylesheetParams?: Record<string, unknown>;
  /** Documents already loaded for `doc()` / `document()`, keyed by absolute URI (SaxonJS copies, never adds). */
  documentPool?: Record<string, SaxonDocument>;
  /** Receives `xsl:message` output (instead of the console). */
  deliverMessage?: (message: { textContent?: string | null }, errorCode: string) => void;
}

interface SaxonJsApi {
  transform(options: SaxonTransformOptions, mode: 'async'): Promise<{ principalResult: unknown }>;
  getResource(options: { file: string; type: 'xml' } | { text: string; type: 'xml' }): Promise<SaxonDocument>;
  getProcessorInfo(): { productName: string; productVersion: string };
}

const saxon = createRequire(import.meta.url)('saxon-js') as SaxonJsApi;

/** `SaxonJS 2.7`: part of the compiled-stylesheet cache key. */
export const SAXON_VERSION = `${saxon.getProcessorInfo().productName} ${saxon.getProcessorInfo().productVersion}`;

/** Parses an XML file with SaxonJS's own parser (for the `documentPool` of a transformation). */
export function loadSaxonDocument(file: string): Promise<SaxonDocument> {
  return saxon.getResource({ file, type: 'xml' });
}

/** Parses XML text with SaxonJS's own parser (no DTD support: entities other than the predefined ones fail). */
export function parseSaxonDocument(text: string): Promise<SaxonDocument> {
  return saxon.getResource({ text, type: 'xml' });
}

/** Runs a compiled stylesheet whose principal result is serialised (here: JSON) and returns that text. */
export async function transformToString(options: SaxonTransformOptions): Promise<string> {
  const result = await saxon.transform(options, 'async');
  if (typeof result.principalResult !== 'string') throw new Error('SaxonJS returned no serialized result');
  return result.principalResult;
}
