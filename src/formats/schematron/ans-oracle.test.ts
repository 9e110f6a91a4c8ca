/**
 * Oracle: the ANS CDA test kit (../shared/ans/cda) ships SVRL reports produced by its own engine (ISO skeleton on
 * Saxon) for some of its examples. Our validator must find the same failed asserts and fire the same rules.
 *
 * Comparison (see docs/validation.md):
 * - failed asserts: the set of (assert id, else normalised text) + normalised location must be equal;
 * - fired rules: for every pattern active in both the report and our run, the multiset of rule contexts
 *   (whitespace-normalised) must be equal. The kit's .sch files are newer than its reports (Dec. 2024): patterns
 *   added or removed since are listed, not compared.
 * Locations are normalised by dropping `[namespace-uri()='…']` predicates, `*:` / `prefix:` name prefixes and
 * positions `[1]` on the root element, so `/*:ClinicalDocument[namespace-uri()='urn:hl7-org:v3'][1]/*:author[…][1]`
 * and our `/ClinicalDocument/author[1]` compare equal.
 *
 * The kit has no reports for the FRCP and PPS examples, nor the schematrons behind two CR-GM reports
 * (IHE_XDS-SD.sch, CI-SIS_StructurationMinimale.sch); for FRCP the documented fact is checked instead.
 * Compiled stylesheets are cached in the OS temp directory: the first run compiles for a few minutes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { SCH_NS } from './load-schematron.js';
import type { SchematronIssue } from './schematron-results.js';
import { compileSchematron, type SchematronValidator } from './schematron-validator.js';
import { childElements, parseXmlTree } from './xml-tree.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const kit = path.resolve(repoRoot, '../shared/ans/cda');
const schematrons = path.join(kit, 'schematrons');
const examples = path.join(kit, 'ExemplesCDA');
const reports = path.join(schematrons, 'rapports');
const cacheDir = path.join(os.tmpdir(), 'relais-sch-ans-cache');

const SVRL_NS = 'http://purl.oclc.org/dsdl/svrl';

/** The report's schemaVersion → our schematron file (relative to schematrons/). */
const SCHEMATRON_OF: Record<string, string> = {
  'CI-SIS_CANCER-CR-GM_2022.01.sch': 'CI-SIS_CANCER-CR-GM_2022.01.sch',
  'IHE.sch': 'profils/IHE.sch',
  'CI-SIS_ModelesDeContenusCDA.sch': 'profils/CI-SIS_ModelesDeContenusCDA.sch',
  'CI-SIS_Modeles_ANS.sch': 'profils/CI-SIS_Modeles_ANS.sch',
  '': 'profils/terminologies/schematron/terminologie.sch',
};

const normalizeSpace = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** Location normalisation shared by SVRL and our paths (see the file comment). */
function normalizeLocation(location: string): string {
  const steps = location
    .replace(/\[namespace-uri\(\)\s*=\s*'[^']*'\]/g, '')
    .split('/')
    .filter((s) => s !== '')
    .map((s) => s.replace(/^(\*|[A-Za-z_][\w.-]*):/, '').replace(/^@(\*|[A-Za-z_][\w.-]*):/, '@'));
  if (steps[0]) steps[0] = steps[0].replace(/\[1\]$/, '');
  return '/' + steps.join('/');
}

interface SvrlReport {
  file: string;
  schemaVersion: string;
  phase?: string;
  /** pattern id ('' when the report gives none) → contexts of the rules that fired, in order. */
  fired: Map<string, string[]>;
  failed: string[];
}

function readReport(file: string): SvrlReport {
  const root = parseXmlTree(fs.readFileSync(file, 'utf8'), file);
  const fired = new Map<string, string[]>();
  const failed: string[] = [];
  let pattern = '';
  for (const e of childElements(root, SVRL_NS)) {
    if (e.local === 'active-pattern') {
      pattern = e.attrs['id'] ?? '';
      if (!fired.has(pattern)) fired.set(pattern, []);
    } else if (e.local === 'fired-rule') {
      fired.get(pattern)?.push(normalizeSpace(e.attrs['context'] ?? ''));
    } else if (e.local === 'failed-assert') {
      const text = childElements(e, SVRL_NS, 'text')[0];
      const message = text ? normalizeSpace(text.children.map((c) => (c.kind === 'text' ? c.value : '')).join('')) : '';
      failed.push(`${e.attrs['id'] ?? message} @ ${normalizeLocation(e.attrs['location'] ?? '')}`);
    }
  }
  const phase = root.attrs['phase'];
  return { file, schemaVersion: root.attrs['schemaVersion'] ?? '', ...(phase ? { phase } : {}), fired, failed: failed.sort() };
}

function failedAsserts(issues: SchematronIssue[]): string[] {
  return issues
    .filter((i) => i.code === 'SCH_ASSERT')
    .map((i) => `${i.assertId ?? normalizeSpace(i.message)} @ ${normalizeLocation(i.path ?? '')}`)
    .sort();
}

const multiset = (xs: string[]): string[] => [...xs].sort();

/** CR-GM reports with a schematron in the kit, and the reports that cannot be checked. */
const crgmReports = fs
  .readdirSync(reports)
  .filter((f) => f.startsWith('CANCER-CR-GM_2022.01_') && f.includes('_verif'))
  .map((f) => readReport(path.join(reports, f)));
const checkable = crgmReports.filter((r) => SCHEMATRON_OF[r.schemaVersion] !== undefined);

const validators = new Map<string, Promise<SchematronValidator>>();
function validatorFor(schematron: string, phase?: string): Promise<SchematronValidator> {
  const key = `${schematron}#${phase ?? ''}`;
  let v = validators.get(key);
  if (!v) {
    v = compileSchematron(path.join(schematrons, schematron), { cacheDir, ...(phase ? { phase } : {}) });
    validators.set(key, v);
  }
  return v;
}

describe('ANS kit reports (CR-GM examples)', () => {
  beforeAll(async () => {
    await Promise.all(checkable.map((r) => validatorFor(SCHEMATRON_OF[r.schemaVersion] ?? '', r.phase)));
  }, 1_200_000);

  it('has reports for every schematron we can compare, and says which it cannot', () => {
    expect(checkable.length).toBe(10);
    const missing = [...new Set(crgmReports.filter((r) => !checkable.includes(r)).map((r) => r.schemaVersion))].sort();
    expect(missing).toEqual(['CI-SIS_StructurationMinimale.sch', 'IHE_XDS-SD.sch']);
  });

  it.each(checkable.map((r) => [path.basename(r.file), r] as const))('%s: same failed asserts and fired rules', async (_name, report) => {
    const example = path.basename(report.file).replace(/_verif.*$/, '.xml');
    const v = await validatorFor(SCHEMATRON_OF[report.schemaVersion] ?? '', report.phase);
    const run = await v.run(fs.readFileSync(path.join(examples, example)), { traceFiredRules: true });

    expect(run.issues.filter((i) => i.code === 'SCH_ERROR')).toEqual([]);
    expect(failedAsserts(run.issues)).toEqual(report.failed);

    const ours = new Map<string, string[]>(v.activePatterns.map((id) => [id ?? '', []]));
    for (const f of run.firedRules) ours.get(f.patternId ?? '')?.push(normalizeSpace(f.context));
    const shared = [...report.fired.keys()].filter((id) => ours.has(id));
    for (const id of shared) {
      expect({ pattern: id, fired: multiset(ours.get(id) ?? []) }).toEqual({ pattern: id, fired: multiset(report.fired.get(id) ?? []) });
    }
    const onlyReport = [...report.fired.keys()].filter((id) => !ours.has(id));
    const onlyOurs = [...ours.keys()].filter((id) => !report.fired.has(id));
    console.log(
      `${path.basename(report.file)}: ${shared.length} patterns compared, ${run.firedRules.length} fired rules, ` +
        `${failedAsserts(run.issues).length} failed asserts; only in report: [${onlyReport.join(', ')}]; only ours: ${onlyOurs.length}`,
    );
    expect(shared.length).toBeGreaterThanOrEqual(Math.ceil(report.fired.size * 0.8));
    // a pattern only in the report must not have fired there: it would be a rule we miss
    for (const id of onlyReport) expect({ pattern: id, fired: report.fired.get(id) }).toEqual({ pattern: id, fired: [] });
  }, 600_000);
});

describe('FRCP and PPS examples (no SVRL report in the kit)', () => {
  const frcp = 'CI-SIS_CANCER-FRCP_2022.01.sch';
  const pps = 'CI-SIS_CANCER-PPS_2022.01.sch';
  const modeles = 'profils/CI-SIS_ModelesDeContenusCDA.sch';
  const modelesAns = 'profils/CI-SIS_Modeles_ANS.sch';
  beforeAll(async () => {
    await Promise.all([validatorFor(frcp, 'CI-SIS_CANCER-FRCP_2022.01'), validatorFor(pps), validatorFor(modeles), validatorFor(modelesAns)]);
  }, 1_200_000);

  const validate = async (schematron: string, example: string, phase?: string): Promise<SchematronIssue[]> =>
    (await validatorFor(schematron, phase)).validate(fs.readFileSync(path.join(examples, example)));

  it('CANCER-FRCP_2022.01_Appareil passes the FRCP volet and fails exactly the author-specialty assert of ModelesDeContenusCDA', async () => {
    expect(await validate(frcp, 'CANCER-FRCP_2022.01_Appareil.xml', 'CI-SIS_CANCER-FRCP_2022.01')).toEqual([]);
    const issues = await validate(modeles, 'CANCER-FRCP_2022.01_Appareil.xml');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      severity: 'error',
      code: 'SCH_ASSERT',
      patternId: 'JDV_assignedAuthorCode',
      path: '/ClinicalDocument/component[1]/structuredBody[1]/component[10]/section[1]/entry[1]/observation[1]/author[1]/assignedAuthor[1]/code[1]',
    });
    expect(issues[0]?.message).toContain('G15_10/SCH10');
    expect(issues[0]?.message).toContain('JDV_J01_XdsAuthorSpecialty_CISIS.xml');
  });

  it.each([
    [frcp, 'CANCER-FRCP_2022.01_Transversale.xml', 0],
    [modeles, 'CANCER-FRCP_2022.01_Transversale.xml', 1],
    [modelesAns, 'CANCER-FRCP_2022.01_Appareil.xml', 0],
    [modelesAns, 'CANCER-FRCP_2022.01_Transversale.xml', 0],
    [pps, 'CANCER-PPS_2022.01_Autopresentable.xml', 0],
    [pps, 'CANCER-PPS_2022.01_feuille-de-style-externe.xml', 0],
    [modeles, 'CANCER-PPS_2022.01_Autopresentable.xml', 0],
    [modeles, 'CANCER-PPS_2022.01_feuille-de-style-externe.xml', 0],
    [modelesAns, 'CANCER-PPS_2022.01_Autopresentable.xml', 0],
    [modelesAns, 'CANCER-PPS_2022.01_feuille-de-style-externe.xml', 0],
  ])('%s on %s: %i failed asserts (observed; the Transversale one is the same author specialty)', async (schematron, example, count) => {
    const issues = await validate(schematron, example, schematron === frcp ? 'CI-SIS_CANCER-FRCP_2022.01' : undefined);
    expect(issues.filter((i) => i.code !== 'SCH_ASSERT')).toEqual([]);
    expect(issues.map((i) => i.patternId)).toEqual(Array.from({ length: count }, () => 'JDV_assignedAuthorCode'));
  });

  it('detects a removed mandatory section in an FRCP document', async () => {
    const xml = fs.readFileSync(path.join(examples, 'CANCER-FRCP_2022.01_Appareil.xml'), 'utf8');
    const broken = xml.replace(/<templateId root="1\.2\.250\.1\.213\.1\.1\.2\.33"\s*\/>/, '');
    expect(broken).not.toBe(xml);
    const issues = await (await validatorFor(frcp, 'CI-SIS_CANCER-FRCP_2022.01')).validate(broken);
    expect(issues.map((i) => [i.patternId, i.path])).toContainEqual(['variables', '/ClinicalDocument']);
    expect(issues.map((i) => i.message)).toContainEqual(expect.stringContaining('FR-Statut-dossier-RCP doit être présente'));
  });
});
