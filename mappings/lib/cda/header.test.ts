import { describe, expect, it } from 'vitest';
import type { Bundle, Composition, Patient } from '@medplum/fhirtypes';
import { readDocumentBundle } from './document-bundle.js';
import { buildCdaHeader, serializeCda, VERSION_NUMBER_URL, type CdaVoletHeader } from './header.js';
import { CS } from './oids.js';
import { derivedUuid, ts } from './datatypes.js';

const patient: Patient = {
  resourceType: 'Patient',
  id: 'pat',
  identifier: [
    { system: 'urn:oid:1.2.250.1.213.1.4.10', value: '279035121518989' },
    { system: 'urn:oid:1.2.3.4.567.8.9.10', value: 'IPP-1' },
  ],
  name: [{ use: 'official', family: 'PAT-TROIS', given: ['DOMINIQUE MARIE-LOUISE'] }, { use: 'usual', family: 'MARTIN', given: ['Dominique'] }],
  gender: 'female',
  birthDate: '1979-03-28',
  extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace', valueAddress: { district: '51215', city: 'DOMPREMY' } }],
};

const composition = (over: Partial<Composition> = {}): Composition => ({
  resourceType: 'Composition',
  id: 'comp',
  status: 'final',
  identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:oid:1.2.250.1.999.1.1' },
  type: { coding: [{ system: 'http://loinc.org', code: '34794-8' }] },
  subject: { reference: 'urn:uuid:pat' },
  date: '2019-02-18T09:49:14+01:00',
  author: [{ reference: 'urn:uuid:role' }],
  title: 'Fiche RCP',
  custodian: { reference: 'urn:uuid:org' },
  attester: [{ mode: 'legal', time: '2019-02-18T10:00:00+01:00', party: { reference: 'urn:uuid:role' } }],
  encounter: { reference: 'urn:uuid:enc' },
  ...over,
});

const bundle = (comp: Composition, pat: Patient = patient): Bundle => ({
  resourceType: 'Bundle',
  type: 'document',
  identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:oid:1.2.250.1.999.1.1.1' },
  entry: [
    { fullUrl: 'urn:uuid:comp', resource: comp },
    { fullUrl: 'urn:uuid:pat', resource: pat },
    { fullUrl: 'urn:uuid:pr', resource: { resourceType: 'Practitioner', identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: '801234567897' }], name: [{ family: 'MULLER', given: ['Charles'], prefix: ['M'], suffix: ['DR'] }] } },
    {
      fullUrl: 'urn:uuid:role',
      resource: {
        resourceType: 'PractitionerRole',
        practitioner: { reference: 'urn:uuid:pr' },
        organization: { reference: 'urn:uuid:org' },
        specialty: [{ coding: [{ system: 'urn:oid:1.2.250.1.213.1.1.4.5', code: 'G15_10/SM36', display: 'Médecin - Oncologie, opt médicale (SM)' }] }],
      },
    },
    {
      fullUrl: 'urn:uuid:org',
      resource: {
        resourceType: 'Organization',
        identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.2', value: '1490000001' }],
        name: 'CHU Angers',
        type: [{ coding: [{ system: 'urn:oid:1.2.250.1.71.4.2.4', code: 'SA01' }] }],
        address: [{ line: ['4 rue Larrey'], postalCode: '49933', city: 'ANGERS' }],
      },
    },
    {
      fullUrl: 'urn:uuid:enc',
      resource: {
        resourceType: 'Encounter',
        status: 'finished',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'VR' },
        identifier: [
          { system: 'urn:oid:1.2.250.1.161.1.20.3.1', value: '27011113' },
          { system: 'urn:oid:1.2.250.1.161.1.20.1.1', value: '5201' },
        ],
        period: { start: '2019-02-18T17:11:00+01:00' },
        serviceProvider: { reference: 'urn:uuid:org' },
      },
    },
  ],
});

const volet: CdaVoletHeader = {
  templateIds: [{ root: '1.2.250.1.213.1.1.1.8', extension: '2022.01' }],
  code: { code: '34794-8', codeSystem: CS.LOINC, displayName: 'CR de réunion de concertation pluridisciplinaire' },
  requiredEncounterIds: [
    { oid: '1.2.250.1.161.1.20.1.1', label: 'RRC' },
    { oid: '1.2.250.1.161.1.20.3.1', label: 'RCP' },
  ],
  facilityRequired: true,
};

function header(b: Bundle) {
  const { doc, issues } = readDocumentBundle(b);
  expect(issues).toEqual([]);
  return buildCdaHeader(doc!, volet);
}

describe('CDA header builder', () => {
  it('writes the CI-SIS header from the document Bundle', () => {
    const h = header(bundle(composition()));
    expect(h.issues).toEqual([expect.objectContaining({ severity: 'info', code: 'CDA_CONFIDENTIALITY_DEFAULT' })]);
    const xml = serializeCda(h);
    expect(xml).toContain('<realmCode code="FR"/>');
    expect(xml).toContain('<templateId root="1.2.250.1.213.1.1.1.8" extension="2022.01"/>');
    expect(xml).toContain('<id root="1.2.250.1.999.1.1.1"/>');
    expect(xml).toContain('<setId root="1.2.250.1.999.1.1"/>');
    expect(xml).toContain('<versionNumber value="1"/>');
    expect(xml).toContain('<effectiveTime value="20190218094914+0100"/>');
    expect(xml).toMatch(/<id root="1.2.250.1.213.1.4.10" extension="279035121518989"\/>\s*<id root="1.2.3.4.567.8.9.10" extension="IPP-1"\/>/);
    expect(xml).toMatch(/<family qualifier="BR">PAT-TROIS<\/family>\s*<given>DOMINIQUE MARIE-LOUISE<\/given>\s*<given qualifier="BR">DOMINIQUE<\/given>\s*<family qualifier="CL">MARTIN<\/family>/);
    expect(xml).toMatch(/<birthplace>\s*<place>\s*<addr>\s*<county>51215<\/county>/);
    expect(xml).toContain('<id root="1.2.250.1.71.4.2.1" extension="801234567897"/>');
    // the volet's required encounter ids come first, in its order
    expect(xml).toMatch(/<encompassingEncounter>\s*<id root="1.2.250.1.161.1.20.1.1" extension="5201"\/>\s*<id root="1.2.250.1.161.1.20.3.1"/);
    expect(xml).toContain('<code code="SA01" codeSystem="1.2.250.1.71.4.2.4"/>');
    expect(xml).not.toContain('relatedDocument');
  });

  it('writes relatedDocument RPLC for a new version, keeping the setId', () => {
    const h = header(
      bundle(
        composition({
          extension: [{ url: VERSION_NUMBER_URL, valueString: '2' }],
          relatesTo: [{ code: 'replaces', targetIdentifier: { system: 'urn:ietf:rfc:3986', value: 'urn:oid:1.2.250.1.999.1.1.0' } }],
        }),
      ),
    );
    const xml = serializeCda(h);
    expect(xml).toContain('<versionNumber value="2"/>');
    expect(xml).toMatch(/<relatedDocument typeCode="RPLC">\s*<parentDocument>\s*<id root="1.2.250.1.999.1.1.0"\/>/);
    expect(xml).toContain('<setId root="1.2.250.1.999.1.1"/>');
  });

  it('refuses a replacing document without versionNumber, and a version 2 without the replaced one', () => {
    const codes = (c: Composition) => header(bundle(c)).issues.filter((i) => i.severity === 'error').map((i) => i.code);
    expect(codes(composition({ relatesTo: [{ code: 'replaces', targetIdentifier: { system: 'urn:ietf:rfc:3986', value: 'urn:oid:1.2.3' } }] }))).toEqual(['CDA_VERSION']);
    expect(codes(composition({ extension: [{ url: VERSION_NUMBER_URL, valueString: '2' }] }))).toEqual(['CDA_VERSION']);
    expect(codes(composition({ identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:oid:1.2.250.1.999.1.1.1' } }))).toEqual(['CDA_SET_ID']);
  });

  it('reports every missing INS trait with its FHIRPath', () => {
    const broken: Patient = { ...patient, name: [{ use: 'official', given: ['DOMINIQUE'] }], extension: [], birthDate: undefined };
    const issues = header(bundle(composition(), broken)).issues.filter((i) => i.severity === 'error');
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ['CDA_INS_TRAIT', "Composition.subject.resolve().name.where(use='official').family"],
      ['CDA_INS_TRAIT', 'Composition.subject.resolve().birthDate'],
      ['CDA_INS_TRAIT', "Composition.subject.resolve().extension('http://hl7.org/fhir/StructureDefinition/patient-birthPlace').valueAddress.district"],
    ]);
  });

  it('does not write the INS of an unqualified identity (warning) and checks the NIR key', () => {
    const prov: Patient = {
      ...patient,
      extension: [...(patient.extension ?? []), { url: 'http://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-ident-reliability', extension: [{ url: 'identityReliability', valueCoding: { code: 'PROV' } }] }],
    };
    const h = header(bundle(composition(), prov));
    expect(h.issues.map((i) => i.code)).toContain('CDA_INS_NOT_QUALIFIED');
    expect(serializeCda(h)).not.toContain('1.2.250.1.213.1.4.10');
    const badKey: Patient = { ...patient, identifier: [{ system: 'urn:oid:1.2.250.1.213.1.4.10', value: '279035121518988' }] };
    expect(header(bundle(composition(), badKey)).issues.filter((i) => i.severity === 'error').map((i) => i.code)).toEqual(['NIR_KEY', 'CDA_PATIENT_ID']);
  });

  it('reports missing encounter ids, author RPPS, custodian and legal authenticator', () => {
    const b = bundle(composition({ attester: [], custodian: undefined }));
    (b.entry![2]!.resource as { identifier?: unknown }).identifier = [];
    const enc = b.entry![5]!.resource as { identifier?: unknown[] };
    enc.identifier = enc.identifier!.slice(0, 1);
    expect(header(b).issues.filter((i) => i.severity === 'error').map((i) => i.code)).toEqual(['CDA_RPPS_MISSING', 'CDA_REQUIRED', 'CDA_REQUIRED', 'CDA_ENCOUNTER_ID']);
  });

  it('is deterministic and derives stable ids', () => {
    const a = serializeCda(header(bundle(composition())));
    const b = serializeCda(header(bundle(composition())));
    expect(a).toBe(b);
    expect(derivedUuid('x')).toBe(derivedUuid('x'));
    expect(derivedUuid('x')).not.toBe(derivedUuid('y'));
    expect(derivedUuid('x')).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
  });

  it('converts FHIR dates to HL7 TS without any clock', () => {
    expect(ts('2019-02-18T09:49:14.123+01:00')).toBe('20190218094914+0100');
    expect(ts('2019-02-18T09:49:14Z')).toBe('20190218094914+0000');
    expect(ts('2019-02-18T09:49+02:00')).toBe('20190218094900+0200');
    expect(ts('2019-02')).toBe('201902');
    expect(ts('18/02/2019')).toBeUndefined();
  });
});
