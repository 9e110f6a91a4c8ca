import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mapped, ValidateFn } from '../../engine/define.js';
import { matches, schematronValidator } from './schematron.js';

const kit = path.resolve(import.meta.dirname, '../../../../shared/ans/cda');
const fixtures = path.resolve(import.meta.dirname, '../../formats/schematron/fixtures');
/** Shared with the Schematron oracle test: the CI-SIS profiles take minutes to compile cold. */
const cacheDir = path.join(os.tmpdir(), 'relais-sch-ans-cache');
const example = (name: string) => fs.readFileSync(path.join(kit, 'ExemplesCDA', name));
const cda = (content: string | Buffer): Mapped => ({ content, contentType: 'application/xml' });

const FRCP = '34794-8';
const PPS = '18776-5';

/** What a channel carrying both fiches RCP and PPS would configure (paths relative to the channel file: here the kit). */
const channelOptions = (extra: Record<string, unknown> = {}) =>
  schematronValidator.options.parse({
    cacheDir,
    files: [
      { path: 'schematrons/CI-SIS_CANCER-FRCP_2022.01.sch', phase: 'CI-SIS_CANCER-FRCP_2022.01', when: { documentCode: FRCP } },
      { path: 'schematrons/CI-SIS_CANCER-PPS_2022.01.sch', when: { documentCode: PPS, templateId: '1.2.250.1.213.1.1.1.26' } },
      { path: 'schematrons/profils/CI-SIS_ModelesDeContenusCDA.sch' },
    ],
    ...extra,
  });

describe('schematron validator on the ANS kit (FRCP and PPS volets + ModelesDeContenusCDA)', () => {
  let validate: ValidateFn;
  beforeAll(async () => {
    validate = await schematronValidator.create(channelOptions(), { baseDir: kit });
  }, 1_200_000);

  it('FRCP Appareil: passes the FRCP volet; the one known ModelesDeContenusCDA finding, as a plain issue', async () => {
    const issues = await validate(cda(example('CANCER-FRCP_2022.01_Appareil.xml')));
    expect(issues).toEqual([
      {
        severity: 'error',
        code: 'SCH_ASSERT',
        path: '/ClinicalDocument/component[1]/structuredBody[1]/component[10]/section[1]/entry[1]/observation[1]/author[1]/assignedAuthor[1]/code[1]',
        message: expect.stringMatching(/G15_10\/SCH10.*\(CI-SIS_ModelesDeContenusCDA\.sch, pattern JDV_assignedAuthorCode\)$/),
      },
    ]);
  });

  it.each(['CANCER-PPS_2022.01_feuille-de-style-externe.xml', 'CANCER-PPS_2022.01_Autopresentable.xml'])('PPS %s passes the PPS volet and the profile', async (name) => {
    expect(await validate(cda(example(name)))).toEqual([]);
  });

  it('a broken FRCP copy (no "Statut dossier RCP" section) fails the volet’s assert', async () => {
    const xml = example('CANCER-FRCP_2022.01_Appareil.xml').toString('utf8');
    const broken = xml.replace(/<templateId root="1\.2\.250\.1\.213\.1\.1\.2\.33"\s*\/>/, '');
    expect(broken).not.toBe(xml);
    const issues = await validate(cda(broken));
    expect(issues).toContainEqual({
      severity: 'error',
      code: 'SCH_ASSERT',
      path: '/ClinicalDocument',
      message: expect.stringMatching(/FR-Statut-dossier-RCP doit être présente.*\(CI-SIS_CANCER-FRCP_2022\.01\.sch, pattern variables\)$/),
    });
  });

  it('runs the volet of the document’s own code and templateId: an FRCP body relabelled PPS meets the PPS volet only', async () => {
    // without its "Statut dossier RCP" section (the FRCP volet would fail) and with a wrong code system (the PPS one fails)
    const relabelled = example('CANCER-FRCP_2022.01_Appareil.xml').toString('utf8')
      .replace(/<templateId root="1\.2\.250\.1\.213\.1\.1\.2\.33"\s*\/>/, '')
      .replace(`code="${FRCP}" codeSystem="2.16.840.1.113883.6.1"`, `code="${PPS}" codeSystem="2.16.840.1.113883.6.96"`)
      .replace('<templateId root="1.2.250.1.213.1.1.1.8" extension="2022.01" />', '<templateId root="1.2.250.1.213.1.1.1.26" extension="2022.01" />');
    const issues = await validate(cda(relabelled));
    expect(issues).toContainEqual(expect.objectContaining({ code: 'SCH_ASSERT', message: expect.stringMatching(/^\[Entete_Cancer-PPS\] L'élément code doit avoir @code="18776-5".*\(CI-SIS_CANCER-PPS_2022\.01\.sch, pattern Entete_Cancer-PPS\)$/) }));
    expect(issues.filter((i) => i.message.includes('(CI-SIS_CANCER-FRCP_2022.01.sch') || i.code === 'SCH_NO_MATCH')).toEqual([]);
    // the PPS file asks for both the code and the templateId: the code alone is not enough
    const codeOnly = relabelled.replace('<templateId root="1.2.250.1.213.1.1.1.26" extension="2022.01" />', '');
    expect((await validate(cda(codeOnly))).map((i) => i.code)).toContain('SCH_NO_MATCH');
  });

  it('a document no volet applies to is an error (requireMatch), the generic profile still runs', async () => {
    const issues = await validate(cda(example('CANCER-CR-GM_2022.01_AnalyseRealisee.xml')));
    expect(issues[0]).toEqual({
      severity: 'error',
      code: 'SCH_NO_MATCH',
      path: '/ClinicalDocument',
      message: 'no schematron of this channel applies to this document (ClinicalDocument with code 51969-4 and templateIds 2.16.840.1.113883.2.8.2.1, 1.2.250.1.213.1.1.1.1, 1.2.250.1.213.1.1.1.32)',
    });
    expect(issues.slice(1).every((i) => i.message.includes('(CI-SIS_ModelesDeContenusCDA.sch'))).toBe(true);
  });

  it('requireMatch: false lets such a document through the generic profiles only', async () => {
    const lenient = await schematronValidator.create(channelOptions({ requireMatch: false }), { baseDir: kit });
    expect((await lenient(cda(example('CANCER-CR-GM_2022.01_AnalyseRealisee.xml')))).map((i) => i.code)).not.toContain('SCH_NO_MATCH');
  });

  it('content that is not XML, or not well-formed, is a clear issue', async () => {
    expect(await validate({ content: { resourceType: 'Bundle' }, contentType: 'application/fhir+json' })).toEqual([
      expect.objectContaining({ code: 'XML_EXPECTED', message: expect.stringContaining('the schematron validator checks XML') }),
    ]);
    const issues = await validate(cda('<ClinicalDocument xmlns="urn:hl7-org:v3"><code code="34794-8"/>'));
    expect(issues.map((i) => i.code)).toEqual(['XML_PARSE']);
  });
});

describe('schematron validator: severities and messages', () => {
  const ownCache = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-sch-v-'));
  afterAll(() => fs.rmSync(ownCache, { recursive: true, force: true }));

  it('failed asserts are errors, successful reports info, unless role/flag say otherwise; assert id and file in the message', async () => {
    const validate = await schematronValidator.create(schematronValidator.options.parse({ files: [{ path: 'semantics.sch' }], cacheDir: ownCache }), { baseDir: fixtures });
    const issues = await validate(cda('<order xmlns="urn:test:order" date="2020-01-31"><line qty="0" unit="KG"/></order>'));
    expect(issues).toEqual(expect.arrayContaining([
      { severity: 'info', code: 'SCH_REPORT', path: '/order/line[1]', message: '[zero-line] line with zero quantity (semantics.sch, pattern first-wins)' },
      { severity: 'warning', code: 'SCH_ASSERT', path: '/order/line[1]', message: expect.stringMatching(/^\[has-product\] line without product \(line number 1 has 2 attributes\) \(semantics\.sch, pattern every-line\)$/) },
      { severity: 'warning', code: 'SCH_ASSERT', path: '/order/line[1]/@unit', message: '[unit-lower] unit KG must be lower case (semantics.sch, pattern attributes)' },
    ]));
    expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('an unknown file stops the channel from starting', async () => {
    await expect(schematronValidator.create(schematronValidator.options.parse({ files: [{ path: 'nope.sch' }] }), { baseDir: fixtures })).rejects.toThrow(/SCH_SCHEMA/);
  });
});

describe('when', () => {
  const header = { root: 'ClinicalDocument', code: FRCP, templateIds: ['1.2.250.1.213.1.1.1.1', '1.2.250.1.213.1.1.1.8'] };
  it('matches code and/or any templateId, both when both are given', () => {
    expect(matches(undefined, header)).toBe(true);
    expect(matches({ documentCode: FRCP }, header)).toBe(true);
    expect(matches({ documentCode: [PPS, FRCP] }, header)).toBe(true);
    expect(matches({ documentCode: PPS }, header)).toBe(false);
    expect(matches({ templateId: '1.2.250.1.213.1.1.1.8' }, header)).toBe(true);
    expect(matches({ documentCode: FRCP, templateId: '1.2.250.1.213.1.1.1.26' }, header)).toBe(false);
    expect(matches({ documentCode: FRCP }, { templateIds: [] })).toBe(false);
  });
});
