/**
 * The PPS fixtures (fixtures/fhir/pps/) map to CDA documents that the ANS kit accepts: 0 XSD errors, 0 issues on the
 * CANCER-PPS 2022.01 schematron and on the generic profiles (IHE, ModelesDeContenusCDA, Modeles_ANS, terminologies,
 * structurationMinimale — the kit's own two structurationMinimale defects aside, see lib/cda/testing/ans-kit.ts);
 * what the documents say; determinism; broken input → clear issues and no document.
 * First run: the schematrons compile for a few minutes (then cached in the OS temp directory).
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, CarePlan, CareTeam, Composition, Condition, Observation, Patient, Resource } from '@medplum/fhirtypes';
import dispatcher from './fhir-document-to-cda.js';
import mapping from './pps-to-cda.js';
import { describeIssues, prepareKit, validateWithKit } from './lib/cda/testing/ans-kit.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/fhir/pps');
const VOLET = { file: 'CI-SIS_CANCER-PPS_2022.01.sch', phase: 'CI-SIS_CANCER-PPS_2022.01' };
const ctx = { channelId: 'cda-documents', messageId: 'm-1', receivedAt: new Date('2026-03-01T00:00:00Z') };
const FIXTURE_NAMES = ['pps-full', 'pps-minimal', 'pps-new-version'];

const read = (name: string): Bundle => JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as Bundle;
function cda(name: string): string {
  const r = mapping.map(read(name), ctx);
  expect(describeIssues(r.issues.filter((i) => i.severity !== 'info'))).toEqual([]);
  expect(r.output?.contentType).toBe('application/xml');
  return r.output!.content as string;
}

const composition = (b: Bundle) => b.entry![0]!.resource as Composition;
const resources = <T extends Resource>(b: Bundle, type: T['resourceType']): T[] => b.entry!.map((e) => e.resource!).filter((r): r is T => r.resourceType === type);
const planOf = (b: Bundle, category: string) => resources<CarePlan>(b, 'CarePlan').find((p) => p.category?.[0]?.coding?.[0]?.code === category)!;
const section = (b: Bundle, code: string) => composition(b).section!.find((s) => s.code?.coding?.some((c) => c.code === code))!;
/** The error issues of a mapping (asserting that no document is produced with them). */
const errors = (b: unknown) => {
  const r = mapping.map(b, ctx);
  const list = r.issues.filter((i) => i.severity === 'error');
  if (list.length) expect(r.output).toBeUndefined();
  return list.map((i) => ({ code: i.code, path: i.path, message: i.message }));
};
const codes = (b: unknown) => errors(b).map((e) => e.code);

describe('pps-to-cda: fixtures against the ANS kit', () => {
  beforeAll(() => prepareKit(VOLET), 1_800_000);

  it('has the three fixtures (full, minimal, new version)', () => {
    expect(fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort()).toEqual(FIXTURE_NAMES.map((n) => `${n}.json`).sort());
  });

  it.each(FIXTURE_NAMES)('%s: 0 XSD errors, 0 schematron issues (volet and generic profiles)', async (name) => {
    const report = await validateWithKit(cda(name), VOLET);
    expect(describeIssues(report.xsd)).toEqual([]);
    for (const [file, issues] of Object.entries(report.schematron)) expect({ file, issues: describeIssues(issues) }).toEqual({ file, issues: [] });
  }, 300_000);

  it('the validators are not vacuous: a wrong volet template and a care step outside its JDV fail the PPS schematron', async () => {
    const xml = cda('pps-minimal');
    const broken = xml.replace('<templateId root="1.2.250.1.213.1.1.1.26" extension="2022.01"/>', '').replace('<value code="387713003"', '<value code="80146002"');
    expect(broken).not.toBe(xml);
    const report = await validateWithKit(broken, VOLET);
    const volet = report.schematron[VOLET.file]!.map((i) => `${i.patternId ?? ''} ${i.message}`);
    expect(volet.some((m) => m.includes('Entete_Cancer-PPS') && m.includes('1.2.250.1.213.1.1.1.26'))).toBe(true);
    expect(volet.some((m) => m.includes('JDV_TypeTraitementPPS-CISIS'))).toBe(true);
  }, 300_000);
});

describe('pps-to-cda: what the document says', () => {
  it('header: volet, patient INS, participants from the CareTeam with their TA_ASIP roles, the médecin traitant, the service event', () => {
    const xml = cda('pps-full');
    expect(xml).toContain('<templateId root="1.2.250.1.213.1.1.1.26" extension="2022.01"/>');
    expect(xml).toMatch(/<code code="18776-5" displayName="Plan personnalisé de soins" codeSystem="2.16.840.1.113883.6.1"/);
    expect(xml).toContain('<id root="1.2.250.1.213.1.4.10" extension="279035121518989"/>');
    // ES de référence (an Organization): RESP, functionCode NA
    expect(xml).toMatch(/<participant typeCode="RESP">\s*<functionCode nullFlavor="NA"\/>\s*<time>\s*<low value="20190129"\/>[^]*?<name>CHU d'Angers<\/name>/);
    // PS of the care team, with its comment before the translation (CD order)
    expect(xml).toMatch(/<functionCode code="353"[^>]*>\s*<originalText>Oncologue référent<\/originalText>\s*<translation code="ORG-177"/);
    // 3C, then structures acting for the patient (AGNT, no associatedPerson)
    expect(xml).toMatch(/<participant typeCode="PRF">\s*<functionCode code="CORRE"[^>]*>\s*<translation code="ORG-190"[^]*?<associatedEntity classCode="PROV">\s*<scopingOrganization>\s*<id root="1.2.250.1.71.4.2.2" extension="1490012345"\/>/);
    expect(xml).toMatch(/<participant typeCode="CON">\s*<functionCode code="CORRE"[^>]*>\s*<originalText>https:\/\/www.oncopl.fr<\/originalText>\s*<translation code="ORG-191"[^]*?<associatedEntity classCode="AGNT">\s*<scopingOrganization>/);
    for (const role of ['ORG-178', 'ORG-188', 'ORG-179', 'ORG-180', 'ORG-181']) expect(xml).toContain(`<translation code="${role}"`);
    expect(xml).toMatch(/<participant typeCode="INF">\s*<functionCode code="PCP"[^]*?<family>MEDIONI<\/family>/);
    // FR Core Patient.contact: personne de confiance (K) → NOK, personne à prévenir (v2-0131 C) → ECON
    expect(xml).toMatch(/<informant>\s*<relatedEntity classCode="NOK">\s*<code code="HUSB" displayName="Epoux"[^]*?<family>MARTIN<\/family>[^]*?<informant>\s*<relatedEntity classCode="ECON">\s*<code code="SIS" displayName="Soeur"/);
    expect(xml.indexOf('<informant>')).toBeGreaterThan(xml.indexOf('</author>'));
    expect(xml).toMatch(/<documentationOf>\s*<serviceEvent classCode="ACT">\s*<effectiveTime>\s*<low value="20210113121700\+0100"\/>\s*<\/effectiveTime>\s*<performer typeCode="PRF">/);
    expect(xml).toMatch(/<componentOf>\s*<encompassingEncounter>[^]*?<low value="20210113100000\+0100"\/>/);
    expect(xml).not.toContain('relatedDocument');
  });

  it('body: the sections of the volet in order, each with a narrative', () => {
    const xml = cda('pps-full');
    const titles = [...xml.matchAll(/<section>[^]*?<title>([^<]+)<\/title>/g)].map((m) => m[1]);
    expect(titles).toEqual([
      'COMMENTAIRE SUR LE PATIENT',
      'PÉDIATRIE',
      'TUMEUR',
      'MODE DE DÉCOUVERTE DU CANCER',
      'PHASE CLINIQUE DE LA MALADIE',
      'PROGRAMME THÉRAPEUTIQUE ET DE SUIVI',
      'SOINS ONCOLOGIQUES DE SUPPORT, ACCOMPAGNEMENT SOCIAL ET SOCIOPROFESSIONNEL',
      'STATUT DU DOCUMENT',
      'DOCUMENTS RÉFÉRENCÉS',
      'INFORMATION SUR LES DONNÉES PERSONNELLES VOUS CONCERNANT',
    ]);
    expect(xml).not.toMatch(/<text\/>/);
    // every narrative reference points at an ID of the document
    const ids = new Set([...xml.matchAll(/ ID="([^"]+)"/g)].map((m) => m[1]));
    const refs = [...xml.matchAll(/<reference value="#([^"]+)"\/>/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(40);
    expect(refs.filter((r) => !ids.has(r))).toEqual([]);
    expect(xml).toContain('<paragraph>Souhaite être accompagnée pour la reprise de son activité professionnelle.</paragraph>');
    expect(xml).toContain('http://lesdonnees.e-cancer.fr');
  });

  it('diagnosis, discovery and phase: CIM-10 topography, CIM-O-3 morphology, laterality, TNM, screening, relapse with progression', () => {
    const xml = cda('pps-full');
    expect(xml).toMatch(/<value xsi:type="CD" code="8500\/3"[^>]*codeSystem="2.16.840.1.113883.6.43.1"/);
    expect(xml).toMatch(/<targetSiteCode code="C50.2"[^]*?<qualifier>\s*<name code="20228-3"[^]*?<value code="24028007"/);
    expect(xml).toMatch(/<code code="75620-5"[^]*?<value xsi:type="CD" code="IB"[^]*?<value xsi:type="CD" code="7"/);
    expect(xml).toMatch(/<code code="21906-3"[^]*?<value xsi:type="CD" code="N1"[^>]*codeSystemVersion="7"/);
    expect(xml).toMatch(/<code code="63921-1"[^]*?<effectiveTime value="20190110"\/>\s*<value xsi:type="BL" value="true"\/>/);
    expect(xml).toMatch(/<code code="MED-243"[^]*?<value xsi:type="CD" code="MED-244"/);
    expect(xml).toMatch(/<code code="MED-248"[^]*?<value xsi:type="BL" value="false"\/>/);
    expect(xml).toMatch(/<code code="ORG-116"[^]*?<value xsi:type="BL" value="false"\/>/);
  });

  it('care steps: done (EVN, performed dates) or planned (INT, booked dates), provisional dates, rhythm and home, place, people, side effects, weight, comments', () => {
    const xml = cda('pps-full');
    const procedures = [...xml.matchAll(/<procedure [^]*?<\/procedure>/g)].map((m) => m[0]);
    expect(procedures).toHaveLength(11);
    const step = (code: string) => procedures.find((p) => p.includes(`<value code="${code}"`))!;
    const radio = step('C15313');
    expect(radio).toMatch(/moodCode="EVN"[^]*?<templateId root="2.16.840.1.113883.10.20.1.29"\/>[^]*?<code code="MED-568"/);
    expect(radio).toMatch(/<effectiveTime>\s*<low value="20190501"\/>\s*<high value="20190701"\/>/);
    const surgery = step('387713003');
    expect(surgery).toMatch(/moodCode="INT"[^]*?<templateId root="2.16.840.1.113883.10.20.1.25"\/>/);
    expect(surgery).toMatch(/<effectiveTime>\s*<low value="20210203080000\+0100"\/>\s*<high value="20210205120000\+0100"\/>/);
    expect(surgery).toMatch(/<performer typeCode="PRF">\s*<assignedEntity classCode="ASSIGNED">\s*<id root="1.2.250.1.71.4.2.1" extension="801234567897"\/>/);
    expect(surgery).toMatch(/<participant typeCode="LOC">\s*<participantRole classCode="SDLOC">[^]*?<name>Bloc opératoire central, CHU d'Angers<\/name>/);
    expect(surgery).toMatch(/<code code="GEN-177"[^]*?<low value="20210201"\/>\s*<high value="20210215"\/>/);
    const chemo = step('C15632');
    expect(chemo).toMatch(/<effectiveTime nullFlavor="UNK"\/>/);
    expect(chemo).toMatch(/<code code="ORG-004"[^]*?<value xsi:type="BL" value="false"\/>/);
    expect(chemo).toMatch(/<code code="MED-565"[^]*?<originalText>\s*<reference value="#soin-effets-1"\/>/);
    expect(step('C20427')).toMatch(/<code code="MED-569"[^]*?<code code="ORG-004"[^]*?<value xsi:type="BL" value="true"\/>/);
    expect(step('ORG-036')).toMatch(/<entryRelationship typeCode="RSON" inversionInd="false">[^]*?<code code="29463-7"[^]*?<value xsi:type="PQ" value="70" unit="kg"\/>/);
    const social = step('PAT-024');
    expect(social).toMatch(/<code code="MED-573"/);
    expect(social).toMatch(/<assignedEntity classCode="ASSIGNED">\s*<id nullFlavor="NA"\/>\s*<code code="434b"[^]*?<family>JOLIE<\/family>[^]*?<name>Service social de la Ville d'Angers<\/name>/);
    expect(step('MED-562')).toMatch(/<id nullFlavor="NA"\/>\s*<representedOrganization>\s*<name>Tabac info service<\/name>/);
    expect(step('MED-562')).toMatch(/<entryRelationship typeCode="RSON" inversionInd="false">\s*<observation classCode="OBS" moodCode="EVN">\s*<templateId root="2.16.840.1.113883.10.20.1.33"\/>[^]*?<templateId root="1.2.250.1.213.1.1.3.52"\/>[^]*?<code code="72166-2"[^]*?<value xsi:type="CD" code="449868002"/);
    expect(xml).toContain('Fumeuse quotidienne (10 cigarettes par jour) (13/01/2021)');
    expect(xml).toContain('Une cure toutes les 3 semaines, 6 cures, hors domicile');
    expect(xml).toContain('<paragraph>Traitement de la rechute locorégionale décidé en RCP le 10/01/2021 : chirurgie, puis chimiothérapie adjuvante.</paragraph>');
    expect(xml).toContain('Radiothérapie adjuvante du sein droit, 50 Gy en 25 séances.');
    expect(xml).toMatch(/<code code="MED-052"[^]*?<value xsi:type="BL" value="false"\/>/);
  });

  it('status section: approved document, RCP date from the referenced fiche RCP, handed over at the announcement consultation', () => {
    const xml = cda('pps-full');
    expect(xml).toMatch(/<templateId root="1.2.250.1.213.1.1.3.48.16"\/>[^]*?<code code="GEN-065"[^]*?<value xsi:type="CD" code="9571008"/);
    expect(xml).toMatch(/<code code="ORG-189"[^]*?<effectiveTime value="20210110140000\+0100"\/>\s*<value value="20210110140000\+0100" xsi:type="EIVL_TS"\/>/);
    expect(xml).toMatch(/<code code="GEN-178"[^]*?<value value="20210113100000\+0100" xsi:type="EIVL_TS"\/>\s*<performer typeCode="PRF">[^]*?<family>MULLER<\/family>/);
    expect(xml).toMatch(/<externalDocument classCode="DOC" moodCode="EVN">\s*<id root="1.2.250.1.71.4.2.7.49.2" extension="FRCP-2021-00001-1"\/>\s*<code code="34794-8"/);
    expect(xml).toContain('extension="CRGM-2021-00002-1"');
    expect(xml).not.toContain('code="GEN-037"');
  });

  it('a new version keeps the setId, is version 2, replaces the earlier id (RPLC), says why, and lists the earlier version', () => {
    const v1 = cda('pps-full');
    const v2 = cda('pps-new-version');
    const setId = (x: string) => /<setId [^>]*\/>/.exec(x)?.[0];
    expect(setId(v2)).toBe(setId(v1));
    expect(v2).toContain('<versionNumber value="2"/>');
    expect(v2).toMatch(/<relatedDocument typeCode="RPLC">\s*<parentDocument>\s*<id root="2F4C9A10-5B7E-4D21-9C3A-8E6B1D0F7A11"\/>/);
    expect(v2).toMatch(/<code code="GEN-037"[^]*?<value xsi:type="CD" code="MED-560"[^]*?<reference value="#statut-commentaire-1"\/>/);
    expect(v2).toContain('Chimiothérapie décalée de deux semaines après la chirurgie.');
    expect(v2).toMatch(/<externalDocument classCode="DOC" moodCode="EVN">\s*<id root="2F4C9A10-5B7E-4D21-9C3A-8E6B1D0F7A11"\/>/);
    // the surgery is now done, dated by its Procedure
    expect(v2).toMatch(/<procedure classCode="PROC" moodCode="EVN"[^]*?<value code="387713003"[^]*?<low value="20210203"\/>\s*<high value="20210205"\/>/);
  });

  it('minimal PPS: mandatory sections only, supportive care "none planned", keys for the store', () => {
    const r = mapping.map(read('pps-minimal'), ctx);
    expect(r.issues.map((i) => `${i.severity}:${i.code}`)).toEqual(['info:PPS_SECTION_EMPTY']);
    const xml = r.output!.content as string;
    expect(xml).toContain('Aucun soin oncologique de support ni accompagnement social ou socioprofessionnel prévu.');
    expect(xml).not.toContain('<code code="18733-6"');
    expect(xml).not.toContain('<code code="42349-1"');
    expect(xml).toMatch(/<code code="GEN-065"[^]*?<value xsi:type="CD" code="9571008"/);
    expect(r.keys).toEqual({
      patient: ['urn:oid:1.2.250.1.213.1.4.10|279035121518989', 'urn:oid:1.2.250.1.71.4.2.7.49.1|1234567890121'],
      document: ['urn:ietf:rfc:3986|urn:oid:9A3E5F70-1C2D-4E8B-B6A4-3D2C1B0A9F01'],
      correlation: ['urn:ietf:rfc:3986|urn:oid:9A3E5F70-1C2D-4E8B-B6A4-3D2C1B0A9F00'],
    });
  });

  it('the dispatcher (fhir-document-to-cda) writes the same PPS', () => {
    expect(dispatcher.map(read('pps-full'), ctx).output).toEqual(mapping.map(read('pps-full'), ctx).output);
  });
});

describe('pps-to-cda: deterministic', () => {
  it('same Bundle → same bytes, whatever the message, the time or the order of the entries after the Composition', () => {
    for (const name of FIXTURE_NAMES) {
      const a = mapping.map(read(name), ctx).output!.content;
      const b = mapping.map(read(name), { channelId: 'other', messageId: 'm-2', receivedAt: new Date('2030-01-01T00:00:00Z') }).output!.content;
      const shuffled = read(name);
      shuffled.entry = [shuffled.entry![0]!, ...shuffled.entry!.slice(1).reverse()];
      expect(b).toBe(a);
      expect(mapping.map(shuffled, ctx).output!.content).toBe(a);
    }
  });

  it('entry ids are stable UUIDs derived from the document and the resources, different for each entry', () => {
    const xml = cda('pps-full');
    const ids = [...xml.matchAll(/<id root="([0-9A-F-]{36})"\/>/g)].map((m) => m[1]!);
    expect(ids.length).toBeGreaterThan(40);
    expect(new Set(ids.filter((id) => !id.startsWith('2F4C9A10') && !id.startsWith('6D1B7C34'))).size).toBe(ids.filter((id) => !id.startsWith('2F4C9A10') && !id.startsWith('6D1B7C34')).length);
  });
});

describe('pps-to-cda: broken input → clear issues, no document', () => {
  it('missing INS traits', () => {
    const b = read('pps-minimal');
    const p = resources<Patient>(b, 'Patient')[0]!;
    delete p.birthDate;
    p.extension = p.extension!.filter((e) => !e.url.endsWith('patient-birthPlace'));
    const e = errors(b);
    expect(e.map((x) => x.code)).toEqual(['CDA_INS_TRAIT', 'CDA_INS_TRAIT']);
    expect(e.map((x) => x.path)).toEqual(['Composition.subject.resolve().birthDate', "Composition.subject.resolve().extension('http://hl7.org/fhir/StructureDefinition/patient-birthPlace').valueAddress.district"]);
  });

  it('a care step outside the PPS value sets, or in the wrong plan section', () => {
    const b = read('pps-full');
    planOf(b, 'MED-566').activity![2]!.detail!.code = { coding: [{ system: 'http://snomed.info/sct', code: '367336001', display: 'Chemotherapy' }] };
    planOf(b, 'MED-567').activity![0]!.detail!.code = { coding: [{ system: 'http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl', code: 'C15313' }] };
    const e = errors(b);
    expect(e).toEqual([
      expect.objectContaining({ code: 'PPS_STEP_CODE', path: 'Composition.section[5].entry[0].resolve().activity[2].detail.code' }),
      expect.objectContaining({ code: 'PPS_STEP_SECTION', path: 'Composition.section[6].entry[0].resolve().activity[0].detail.code' }),
    ]);
    expect(e[0]!.message).toContain('http://snomed.info/sct|367336001');
    expect(e[1]!.message).toContain('does not belong in the supportive care plan');
  });

  it('codes outside their JDV: phase, update reason, document status, laterality', () => {
    const b = read('pps-new-version');
    resources<Observation>(b, 'Observation').find((o) => o.code.coding?.[0]?.code === 'MED-243')!.valueCodeableConcept = { coding: [{ system: 'urn:oid:1.2.250.1.213.1.1.4.322', code: 'MED-268X' }] };
    resources<Observation>(b, 'Observation').find((o) => o.code.coding?.[0]?.code === 'GEN-037')!.valueCodeableConcept = { coding: [{ system: 'http://snomed.info/sct', code: '263855007X' }] };
    resources<Condition>(b, 'Condition')[0]!.bodySite = [{ coding: [{ system: 'http://snomed.info/sct', code: '80248007', display: 'left breast' }] }];
    b.entry!.push({ fullUrl: 'urn:uuid:status-1', resource: { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'urn:oid:1.2.250.1.213.1.1.4.322', code: 'GEN-065' }] }, valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '394848005' }] } } });
    section(b, '33557-0').entry!.unshift({ reference: 'urn:uuid:status-1' });
    const e = errors(b);
    expect(e.map((x) => x.code)).toEqual(['CDA_CODE', 'PPS_CODE', 'PPS_CODE', 'PPS_CODE']);
    expect(e[0]!.message).toContain('JDV_ModificateurTopographique_CISIS');
    expect(e[1]!.message).toContain('JDV_PhaseCancer_CISIS');
    expect(e[2]!.message).toContain('JDV_StatutDoc_CISIS');
    expect(e[2]!.path).toBe('Composition.section[7].entry[0].resolve().valueCodeableConcept');
    expect(e[3]!.message).toContain('JDV_MotifMiseAJour_CISIS');
    expect(e[3]!.path).toBe('Composition.section[7].entry[1].resolve().valueCodeableConcept');
  });

  it('missing mandatory PPS data: diagnosis, discovery, programme, 3C, RCP date and referenced documents, announcement consultation', () => {
    const b = read('pps-minimal');
    const c = composition(b);
    c.section = c.section!.filter((s) => !['72135-7', '42545-4', '55107-7'].includes(s.code!.coding![0]!.code!));
    planOf(b, 'MED-566').activity = [];
    resources<CareTeam>(b, 'CareTeam')[0]!.participant = [];
    delete c.encounter;
    expect(codes(b).sort()).toEqual(
      ['CDA_REQUIRED', 'PPS_ANNOUNCEMENT', 'PPS_DIAGNOSIS_MISSING', 'PPS_DISCOVERY_MISSING', 'PPS_PARTICIPANT_MISSING', 'PPS_PROGRAMME_EMPTY', 'PPS_RCP_DATE', 'PPS_REFERENCES_MISSING'].sort(),
    );
    const messages = errors(b).map((e) => e.message).join('\n');
    expect(messages).toContain('centre de coordination en cancérologie (3C)');
    expect(messages).toContain('LOINC 34794-8');
    const noProgramme = read('pps-minimal');
    composition(noProgramme).section = composition(noProgramme).section!.filter((s) => s.code!.coding![0]!.code !== '18776-5');
    // the CareTeam is the care plans' (CarePlan.careTeam): without the programme section, the 3C is not found either
    expect(codes(noProgramme)).toEqual(['PPS_PARTICIPANT_MISSING', 'PPS_SECTION_MISSING']);
  });

  it('a tumour without morphology or topography, a progression without its detail, a yes/no without answer', () => {
    const b = read('pps-full');
    const cond = resources<Condition>(b, 'Condition')[0]!;
    delete cond.extension;
    cond.code = { coding: [{ system: 'http://snomed.info/sct', code: '254837009' }] };
    const progression = resources<Observation>(b, 'Observation').find((o) => o.code.coding?.[0]?.code === 'MED-245')!;
    progression.component = progression.component!.slice(1);
    delete resources<Observation>(b, 'Observation').find((o) => o.code.coding?.[0]?.code === '63921-1')!.valueBoolean;
    const e = errors(b);
    expect(e.map((x) => `${x.code} ${x.path}`)).toEqual([
      'PPS_TOPOGRAPHY Composition.section[2].entry[0].resolve().code',
      'PPS_MORPHOLOGY Composition.section[2].entry[0].resolve().extension',
      'PPS_VALUE Composition.section[3].entry[0].resolve().valueBoolean',
      'PPS_PROGRESSION_DETAIL Composition.section[4].entry[1].resolve().component',
    ]);
  });

  it('a contact relationship outside JDV_J11_RelationPatient_CISIS is left out, with a warning', () => {
    const b = read('pps-full');
    resources<Patient>(b, 'Patient')[0]!.contact![0]!.relationship![1] = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'SPS', display: 'spouse' }] };
    const r = mapping.map(b, ctx);
    expect(r.issues.map((i) => `${i.severity} ${i.code} ${i.path}`)).toEqual(['warning PPS_RELATIONSHIP_NOT_WRITTEN Composition.subject.resolve().contact[0].relationship']);
    expect(r.output!.content).toMatch(/<relatedEntity classCode="NOK">\s*<addr/);
  });

  it('a Bundle that is not a document, references outside the Bundle, an unknown section', () => {
    expect(codes({ resourceType: 'Patient' })).toEqual(['CDA_BUNDLE']);
    const b = read('pps-minimal');
    section(b, '72135-7').entry!.push({ reference: 'Condition/elsewhere' });
    expect(errors(b)).toEqual([expect.objectContaining({ code: 'CDA_REFERENCE', path: 'Composition.section[0].entry[1]' })]);
    const u = read('pps-minimal');
    composition(u).section!.push({ title: 'Allergies', code: { coding: [{ system: 'http://loinc.org', code: '48765-2' }] }, text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Aucune</div>' } });
    const r = mapping.map(u, ctx);
    expect(r.issues.filter((i) => i.severity === 'warning').map((i) => `${i.code} ${i.path}`)).toEqual(['PPS_SECTION_NOT_WRITTEN Composition.section[4]']);
    expect(r.output).toBeDefined();
  });
});
