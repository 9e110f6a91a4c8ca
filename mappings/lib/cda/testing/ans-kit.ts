/**
 * Test support: the ANS CDA test kit in ../shared/ans/cda (CDA_extended.xsd, the CI-SIS schematrons and their
 * value sets), compiled once per test process. Schematron stylesheets are cached in the OS temp directory: the first
 * compilation of IHE.sch and structurationMinimale takes minutes, later runs load them in a second.
 * Used only by tests: the product takes these locations from channel options.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Issue } from '../../../../src/engine/issues.js';
import { compileSchematron, parseSchematronSource, type SchematronIssue, type SchematronValidator } from '../../../../src/formats/schematron/index.js';
import { compileXsd } from '../../../../src/formats/xml/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const ANS_KIT = path.resolve(repoRoot, '../shared/ans/cda');
export const CDA_XSD = path.join(ANS_KIT, 'infrastructure/cda/CDA_extended.xsd');
export const SCHEMATRONS = path.join(ANS_KIT, 'schematrons');
// the same folder as the schematron validator's default, so that the tests and `relais run-once` share the cache
const cacheDir = path.join(os.tmpdir(), 'relais-schematron-cache');

/** The generic profiles every CI-SIS document must pass, plus the volet's own schematron. */
export const GENERIC_PROFILES = [
  'profils/IHE.sch',
  'profils/CI-SIS_ModelesDeContenusCDA.sch',
  'profils/CI-SIS_Modeles_ANS.sch',
  'profils/terminologies/schematron/terminologie.sch',
  'profils/structurationMinimale/ASIP-STRUCT-MIN-StrucMin.sch',
] as const;

/**
 * Known defects of the kit's structurationMinimale (docs/validation.md, "Known limitations"): an XPath-invalid regex
 * on versionNumber and a value set file absent from the kit. They raise SCH_ERROR on every document, never an assert.
 */
export const KNOWN_KIT_ERRORS = [/versionNumber\[1\]: rule .* Invalid regular expression/, /voc-1\.2\.250\.1\.213\.1\.1\.5\.471-DYNAMIC\.xml/];

export interface KitReport {
  xsd: Issue[];
  /** schematron (relative to schematrons/) → its issues, the known kit errors removed. */
  schematron: Record<string, SchematronIssue[]>;
}

const validators = new Map<string, Promise<SchematronValidator>>();
function schematron(file: string, phase?: string): Promise<SchematronValidator> {
  const key = `${file}#${phase ?? ''}`;
  let v = validators.get(key);
  if (!v) {
    v = compileSchematron(path.join(SCHEMATRONS, file), { cacheDir, ...(phase ? { phase } : {}) });
    validators.set(key, v);
  }
  return v;
}

/** Compiles (or loads from the cache) every schematron a volet's documents are checked against. */
export async function prepareKit(volet: { file: string; phase?: string }): Promise<void> {
  await Promise.all([schematron(volet.file, volet.phase), ...GENERIC_PROFILES.map((f) => schematron(f))]);
}

let xsd: ReturnType<typeof compileXsd> | undefined;

/** XSD + the volet's schematron + the generic profiles on one document. */
export async function validateWithKit(xml: string, volet: { file: string; phase?: string }): Promise<KitReport> {
  xsd ??= compileXsd(CDA_XSD);
  const report: KitReport = { xsd: xsd.validate(Buffer.from(xml)), schematron: {} };
  const parsed = await parseSchematronSource(Buffer.from(xml));
  if (!parsed.ok) throw new Error(`not parseable: ${JSON.stringify(parsed)}`);
  for (const [file, phase] of [[volet.file, volet.phase], ...GENERIC_PROFILES.map((f) => [f, undefined] as const)] as const) {
    const issues = await (await schematron(file, phase)).validate(parsed.source);
    report.schematron[file] = issues.filter((i) => !(i.code === 'SCH_ERROR' && KNOWN_KIT_ERRORS.some((re) => re.test(`${i.path ?? ''}: ${i.message}`))));
  }
  return report;
}

/** One line per issue, for readable test failures. */
export const describeIssues = (issues: readonly Issue[]): string[] => issues.map((i) => `${i.severity} ${i.code} ${i.path ?? ''} ${i.message.replace(/\s+/g, ' ').slice(0, 300)}`);
