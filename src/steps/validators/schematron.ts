import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { defineValidator } from '../../engine/define.js';
import { error, type Issue } from '../../engine/issues.js';
import { compileSchematron, parseSchematronSource, type SchematronIssue, type SchematronValidator } from '../../formats/schematron/index.js';
import { readCdaHeader, type CdaHeader } from './cda-header.js';
import { xmlContentOf } from './xml-content.js';

const oneOrMore = (what: string) => z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).describe(what);

const whenSchema = z
  .strictObject({
    documentCode: oneOrMore('ClinicalDocument/code/@code, e.g. "34794-8" (fiche RCP) or "18776-5" (PPS); one or a list').optional(),
    templateId: oneOrMore('a ClinicalDocument/templateId/@root the document must carry; one or a list (any of them)').optional(),
  })
  .refine((w) => w.documentCode !== undefined || w.templateId !== undefined, 'give documentCode and/or templateId')
  .describe('run this file only for matching documents (both conditions when both are given)');

const fileSchema = z.strictObject({
  path: z.string().min(1).describe('.sch file, relative to the channel file (includes and value sets resolve next to it)'),
  phase: z.string().optional().describe('phase id, #ALL or #DEFAULT (default: the schema’s defaultPhase)'),
  when: whenSchema.optional(),
});

const options = z.object({
  files: z.array(fileSchema).min(1).describe('schematrons to run, in order; those without `when` run on every document'),
  cacheDir: z
    .string()
    .optional()
    .describe('folder for compiled stylesheets, relative to the channel file; default <os tmpdir>/relais-schematron-cache. Cold compiles of the CI-SIS profiles take minutes: keep it persistent'),
  requireMatch: z
    .boolean()
    .default(true)
    .describe('a document that no `when` file matches is an error (a document type the channel has no volet for)'),
});

type When = z.infer<typeof whenSchema>;
const asList = (v: string | string[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

export function matches(when: When | undefined, header: CdaHeader): boolean {
  if (!when) return true;
  const codes = asList(when.documentCode);
  const templates = asList(when.templateId);
  if (codes && (header.code === undefined || !codes.includes(header.code))) return false;
  if (templates && !header.templateIds.some((t) => templates.includes(t))) return false;
  return true;
}

/** A Schematron finding as a plain issue: the assert id and the schematron file in the message, the location as path. */
function toIssue(i: SchematronIssue, file: string): Issue {
  const where = [path.basename(file), i.patternId ? `pattern ${i.patternId}` : undefined].filter(Boolean).join(', ');
  return { severity: i.severity, code: i.code, ...(i.path ? { path: i.path } : {}), message: `${i.assertId ? `[${i.assertId}] ` : ''}${i.message} (${where})` };
}

interface CompiledFile {
  file: string;
  when?: When;
  validator: SchematronValidator;
}

/**
 * ISO Schematron validation of the mapped XML (our Schematron → XSLT 3 compiler on SaxonJS; see docs/validation.md).
 * Every file is compiled when the channel starts (cached on disk). For each document the header is read once, the
 * files whose `when` matches are selected, the document is parsed once, and each selected schematron runs on it.
 * Failed asserts are errors and successful reports info, unless the assertion's role or flag names another level.
 */
export const schematronValidator = defineValidator({
  type: 'schematron',
  description: 'Validate the mapped XML (e.g. a CDA document) with ISO Schematron files, chosen per document code / templateId',
  options,
  async create(o, ctx) {
    const cacheDir = o.cacheDir ? path.resolve(ctx.baseDir, o.cacheDir) : path.join(os.tmpdir(), 'relais-schematron-cache');
    const files: CompiledFile[] = await Promise.all(
      o.files.map(async (f) => {
        const file = path.resolve(ctx.baseDir, f.path);
        const validator = await compileSchematron(file, { cacheDir, ...(f.phase !== undefined ? { phase: f.phase } : {}) });
        return { file, validator, ...(f.when ? { when: f.when } : {}) };
      }),
    );
    const conditional = files.some((f) => f.when);

    return async (mapped) => {
      const x = xmlContentOf(mapped, 'schematron');
      if ('issues' in x) return x.issues;
      const header = readCdaHeader(x.xml);
      const selected = files.filter((f) => matches(f.when, header));
      const issues: Issue[] = [];
      if (conditional && o.requireMatch && !selected.some((f) => f.when)) {
        const what = header.root === undefined ? 'the content has no root element' : `${header.root} with code ${header.code ?? '(none)'} and templateIds ${header.templateIds.join(', ') || '(none)'}`;
        issues.push(error('SCH_NO_MATCH', `no schematron of this channel applies to this document (${what})`, header.root ? `/${header.root}` : undefined));
      }
      if (selected.length === 0) return issues;
      const parsed = await parseSchematronSource(x.xml);
      if (!parsed.ok) return [...issues, ...parsed.issues];
      for (const f of selected) for (const i of await f.validator.validate(parsed.source)) issues.push(toIssue(i, f.file));
      return issues;
    };
  },
});
