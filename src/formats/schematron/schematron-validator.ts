/**
 * ISO Schematron validation: `.sch` (with includes, abstract patterns, phases, lets, diagnostics) → generated XSLT
 * 3.0 → SEF compiled once (cached in memory and optionally on disk) → run with SaxonJS for each document.
 *
 * Pipeline: load-schematron (XML + includes) → read-schema (model) → instantiate (abstract patterns/rules) →
 * select-phase → generate-xslt → sef-cache (xslt3 compiler) → saxon-runtime → schematron-results (issues).
 */
import { createHash } from 'node:crypto';
import { IssuesError, error } from '../../engine/issues.js';
import { DocumentPool, xmlLiterals } from './document-pool.js';
import { DOC_MESSAGE_PREFIX, POOLED_PARAM } from './resource-functions.js';
import { GENERATOR_VERSION, TRACE_PARAM, generateXslt, type GeneratedXslt } from './generate-xslt.js';
import { instantiate } from './instantiate.js';
import { loadSchematron } from './load-schematron.js';
import { readSchema } from './read-schema.js';
import { SAXON_VERSION, transformToString } from './saxon-runtime.js';
import { SCH_ERROR, toReport, type SchematronIssue, type SchematronReport } from './schematron-results.js';
import { isSchematronSource, parseSchematronSource, saxonDocumentOf, type SchematronSource } from './schematron-source.js';
import { selectPhase } from './select-phase.js';
import { cacheKey, getSef, type SefSource } from './sef-cache.js';

/** Issue code of a schema that cannot be loaded or compiled. */
export const SCH_SCHEMA_CODE = 'SCH_SCHEMA';

export interface CompileSchematronOptions {
  /** Phase id, `#ALL`, or `#DEFAULT` (the default: the schema's `defaultPhase`, else `#ALL`). */
  phase?: string;
  /** Directory for compiled stylesheets (`<sha256>.sef.json` + the generated `<sha256>.xsl`); memory only if absent. */
  cacheDir?: string;
}

export interface RunOptions {
  /** Also list every rule that fired, with the node location (SVRL `fired-rule`); slower. */
  traceFiredRules?: boolean;
}

export interface SchematronValidator {
  /** Absolute path of the main `.sch` file. */
  readonly schPath: string;
  /** Phase in use (`#ALL` or a phase id). */
  readonly phase: string;
  /** Ids of the active patterns, in schema order (undefined for patterns without id). */
  readonly activePatterns: readonly (string | undefined)[];
  /**
   * Non-fatal findings of the compilation: hrefs matched case-insensitively (the ANS kit is written on Windows),
   * phase `active` entries naming no pattern (ignored).
   */
  readonly warnings: readonly string[];
  /** Where the compiled stylesheet came from when this validator was built. */
  readonly sefSource: SefSource;
  /**
   * Validates one document: failed asserts (`SCH_ASSERT`), successful reports (`SCH_REPORT`), rules that raised a
   * dynamic error (`SCH_ERROR`), or a refused DOCTYPE (`XML_DOCTYPE`, `XML_EXTERNAL_ENTITY`). Not well-formed input
   * gives one `XML_PARSE` issue. Resolves to an empty list for a conforming document. Pass a
   * {@link SchematronSource} (see `schematron-source.ts`) to validate one document with several schemas after a
   * single parse.
   */
  validate(xml: string | Uint8Array | SchematronSource): Promise<SchematronIssue[]>;
  /** Like {@link validate}, optionally with the fired rules. */
  run(xml: string | Uint8Array | SchematronSource, options?: RunOptions): Promise<SchematronReport>;
}

interface Plan {
  generated: GeneratedXslt;
  key: string;
  mainFile: string;
  warnings: string[];
}

function plan(schPath: string, phase: string | undefined): Plan {
  const loaded = loadSchematron(schPath);
  const schema = readSchema(loaded.root);
  const selection = selectPhase(schema, instantiate(schema), phase);
  const generated = generateXslt(schema, selection);
  // Inputs (every .sch file, the phase, where the schema lives) and the generated text itself: a generator change
  // that forgets to bump GENERATOR_VERSION still cannot reuse a stale compiled stylesheet.
  const key = cacheKey({
    generator: GENERATOR_VERSION,
    saxon: SAXON_VERSION,
    main: loaded.mainFile,
    phase: selection.phase,
    files: loaded.files.map((f) => [f.path, f.sha256]),
    xslt: createHash('sha256').update(generated.xslt).digest('hex'),
  });
  const warnings = [
    ...loaded.warnings,
    ...generated.unknownPatternIds.map((id) => `phase ${generated.phase} activates '${id}', which no pattern carries (ignored)`),
  ];
  return { generated, key, mainFile: loaded.mainFile, warnings };
}

function asSchemaIssues(schPath: string, e: unknown): IssuesError {
  if (e instanceof IssuesError) return e;
  return new IssuesError([error(SCH_SCHEMA_CODE, e instanceof Error ? e.message : String(e), schPath)]);
}

/**
 * Compiles a Schematron schema for repeated validation.
 * @param schPath the main `.sch` file; includes and `document()` paths are resolved relative to its location.
 * @throws IssuesError with one `SCH_SCHEMA` issue when the schema cannot be read, is not supported, or its
 *   generated stylesheet does not compile (the message carries the compiler's diagnostic).
 */
export async function compileSchematron(schPath: string, options: CompileSchematronOptions = {}): Promise<SchematronValidator> {
  let planned: Plan;
  let sef: object;
  let sefSource: SefSource;
  try {
    planned = plan(schPath, options.phase);
    ({ sef, source: sefSource } = await getSef(planned.key, planned.generated.xslt, options.cacheDir));
  } catch (e) {
    throw asSchemaIssues(schPath, e);
  }
  const { generated, mainFile, warnings } = planned;
  const documents = new DocumentPool();
  await documents.preload(mainFile, xmlLiterals(generated.expressions));

  async function run(xml: string | Uint8Array | SchematronSource, runOptions: RunOptions = {}): Promise<SchematronReport> {
    let source: SchematronSource;
    if (isSchematronSource(xml)) {
      source = xml;
    } else {
      const parsed = await parseSchematronSource(xml);
      if (!parsed.ok) return { issues: parsed.issues, firedRules: [] };
      source = parsed.source;
    }
    let json: string;
    const announced: string[] = [];
    try {
      json = await transformToString({
        stylesheetInternal: sef,
        sourceNode: saxonDocumentOf(source),
        destination: 'serialized',
        stylesheetParams: { [TRACE_PARAM]: runOptions.traceFiredRules === true, [POOLED_PARAM]: documents.knownUris() },
        documentPool: documents.documents,
        deliverMessage: (message) => {
          const text = message.textContent ?? '';
          if (text.startsWith(DOC_MESSAGE_PREFIX)) announced.push(text.slice(DOC_MESSAGE_PREFIX.length));
        },
      });
    } catch (e) {
      // errors outside any rule (a global let, a value set that cannot be read…): the whole run failed
      const message = e instanceof Error ? e.message : String(e);
      return { issues: [error(SCH_ERROR, `schematron ${mainFile} could not be evaluated: ${message}`)], firedRules: [] };
    }
    await documents.learn(announced);
    return toReport(json, generated);
  }

  return {
    schPath: mainFile,
    phase: generated.phase,
    activePatterns: generated.patterns.map((p) => p.id),
    warnings,
    sefSource,
    run,
    validate: async (xml) => (await run(xml)).issues,
  };
}
