/**
 * The fiche RCP fixtures (fixtures/fhir/rcp/) map to CDA documents that the ANS kit accepts: 0 XSD errors, 0 issues
 * on the CANCER-FRCP 2022.01 schematron and on the generic profiles (IHE, ModelesDeContenusCDA, Modeles_ANS,
 * terminologies, structurationMinimale — the kit's own two structurationMinimale defects aside, see ans-kit.ts).
 * First run: the schematrons compile for a few minutes (then cached in the OS temp directory).
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Bundle } from '@medplum/fhirtypes';
import mapping from './frcp-to-cda.js';
import { describeIssues, prepareKit, validateWithKit } from './lib/cda/testing/ans-kit.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/fhir/rcp');
const VOLET = { file: 'CI-SIS_CANCER-FRCP_2022.01.sch', phase: 'CI-SIS_CANCER-FRCP_2022.01' };
const ctx = { channelId: 'cda-documents', messageId: 'm-1', receivedAt: new Date('2026-03-01T00:00:00Z') };

const read = (name: string): Bundle => JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as Bundle;
function cda(name: string): string {
  const r = mapping.map(read(name), ctx);
  expect(describeIssues(r.issues.filter((i) => i.severity !== 'info'))).toEqual([]);
  expect(r.output?.contentType).toBe('application/xml');
  return r.output!.content as string;
}

const FIXTURE_NAMES = ['appareil', 'transversale', 'appareil-v2-rplc', 'minimal'];

describe('frcp-to-cda: fixtures against the ANS kit', () => {
  beforeAll(() => prepareKit(VOLET), 1_800_000);

  it('has the four fixtures of the issue', () => {
    expect(fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort()).toEqual(FIXTURE_NAMES.map((n) => `${n}.json`).sort());
  });

  it.each(FIXTURE_NAMES)('%s: 0 XSD errors, 0 schematron issues (volet and generic profiles)', async (name) => {
    const report = await validateWithKit(cda(name), VOLET);
    expect(describeIssues(report.xsd)).toEqual([]);
    for (const [file, issues] of Object.entries(report.schematron)) expect({ file, issues: describeIssues(issues) }).toEqual({ file, issues: [] });
  }, 300_000);

  it('the validators are not vacuous: a mapped document without its mandatory sections fails the volet', async () => {
    const xml = cda('minimal');
    const broken = xml.replace(/<templateId root="1\.2\.250\.1\.213\.1\.1\.2\.33"\/>/, '').replace(/<code code="75620-5"/, '<code code="00000-0"');
    expect(broken).not.toBe(xml);
    const report = await validateWithKit(broken, VOLET);
    const volet = report.schematron[VOLET.file]!.map((i) => i.message);
    expect(volet.some((m) => m.includes('FR-Statut-dossier-RCP'))).toBe(true);
    expect(volet.some((m) => m.includes("classification 'TNM'"))).toBe(true);
  }, 300_000);
});

describe('frcp-to-cda: content', () => {
  it('organ RCP: header identifiers, participants with quorum, the tumour with ICD-10 / ICD-O-3 / TNM', () => {
    const xml = cda('appareil');
    expect(xml).toContain('<id root="1.2.250.1.999.1.8.2026.1.1"/>');
    expect(xml).toContain('<setId root="1.2.250.1.999.1.8.2026.1"/>');
    expect(xml).toMatch(/<encompassingEncounter>\s*<id root="1.2.250.1.161.1.20.1.1" extension="5201"\/>\s*<id root="1.2.250.1.161.1.20.2.1" extension="520114"\/>\s*<id root="1.2.250.1.161.1.20.3.1" extension="27011113"\/>/);
    expect(xml.match(/<functionCode code="353"/g)).toHaveLength(2);
    expect(xml).toMatch(/<participant typeCode="INF">\s*<functionCode code="PCP"/);
    expect(xml).toMatch(/<informant>\s*<relatedEntity classCode="NOK">\s*<code code="SIS"[^]*?<informant>\s*<relatedEntity classCode="ECON">/);
    expect(xml).toMatch(/<targetSiteCode code="C50.4"[^>]*codeSystem="2.16.840.1.113883.6.3"/);
    expect(xml).toMatch(/<value xsi:type="CD" code="8500\/3"[^>]*codeSystem="2.16.840.1.113883.6.43.1"/);
    expect(xml).toMatch(/<code code="21905-5"[^]*?<value xsi:type="CD" code="T1c"/);
    expect(xml).toMatch(/<serviceEvent classCode="ACT">\s*<code code="C50.4"/);
    expect(xml).toContain('<value xsi:type="CD" code="ORG-117"');
    expect(xml).not.toContain('relatedDocument');
    // the narrative says what the entries code
    expect(xml).toContain('Carcinome canalaire infiltrant');
    expect(xml).toContain('Radiothérapie adjuvante du sein');
    expect(xml).toContain('2 (Alternative)');
  });

  it('a new version keeps the setId, increments versionNumber and replaces the earlier id (RPLC)', () => {
    const v1 = cda('appareil');
    const v2 = cda('appareil-v2-rplc');
    const setId = (x: string) => /<setId [^>]*\/>/.exec(x)?.[0];
    expect(setId(v2)).toBe(setId(v1));
    expect(v2).toContain('<versionNumber value="2"/>');
    expect(v2).toMatch(/<relatedDocument typeCode="RPLC">\s*<parentDocument>\s*<id root="1.2.250.1.999.1.8.2026.1.1"\/>/);
    expect(v2).toContain('<id root="1.2.250.1.999.1.8.2026.1.2"/>');
  });

  it('transversal RCP: nature ORG-132 with the treatment/care (ORG-138), OMS grade 2, relapse', () => {
    const xml = cda('transversale');
    expect(xml).toContain('<value xsi:type="CD" code="ORG-132"');
    expect(xml).toMatch(/<code code="ORG-138"[^]*?<value xsi:type="CD" code="C15747"/);
    expect(xml).not.toContain('code="ORG-118"');
    expect(xml).toMatch(/<value xsi:type="CD" code="MED-265"[^>]*\/>\s*<interpretationCode code="LA9624-3"/);
    expect(xml).toContain('<value xsi:type="CD" code="MED-244"');
  });

  it('minimal fiche: unknown general practitioner, default confidentiality, no optional section', () => {
    const r = mapping.map(read('minimal'), ctx);
    expect(r.issues.map((i) => `${i.severity}:${i.code}`)).toEqual(['info:CDA_CONFIDENTIALITY_DEFAULT']);
    const xml = r.output!.content as string;
    expect(xml).toMatch(/<participant typeCode="INF">[^]*?<associatedEntity classCode="PROV" nullFlavor="UNK"\/>/);
    expect(xml).toContain('<confidentialityCode code="N"');
    for (const optional of ['11348-0', '11450-4', '47420-5', '30954-2', '29554-3', '55112-7']) expect(xml).not.toContain(`<code code="${optional}"`);
    expect(r.keys).toEqual({
      patient: ['urn:oid:1.2.250.1.213.1.4.10|279035121518989', 'urn:oid:1.2.250.1.999.1.2|IPP-1234567890'],
      document: ['urn:ietf:rfc:3986|urn:oid:1.2.250.1.999.1.8.2026.3.1'],
      correlation: ['urn:ietf:rfc:3986|urn:oid:1.2.250.1.999.1.8.2026.3'],
    });
  });
});
