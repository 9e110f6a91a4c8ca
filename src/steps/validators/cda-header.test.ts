import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCdaHeader } from './cda-header.js';

const examples = path.resolve(import.meta.dirname, '../../../../shared/ans/cda/ExemplesCDA');

describe('readCdaHeader', () => {
  it('reads the code and templateIds of the ANS examples (FRCP, PPS, CR-GM), bytes or text', () => {
    const frcp = fs.readFileSync(path.join(examples, 'CANCER-FRCP_2022.01_Appareil.xml'));
    expect(readCdaHeader(frcp)).toEqual({ root: 'ClinicalDocument', code: '34794-8', templateIds: ['2.16.840.1.113883.2.8.2.1', '1.2.250.1.213.1.1.1.1', '1.2.250.1.213.1.1.1.8'] });
    expect(readCdaHeader(frcp.toString('utf8'))).toEqual(readCdaHeader(frcp));
    expect(readCdaHeader(fs.readFileSync(path.join(examples, 'CANCER-PPS_2022.01_feuille-de-style-externe.xml')))).toMatchObject({ code: '18776-5' });
    expect(readCdaHeader(fs.readFileSync(path.join(examples, 'CANCER-CR-GM_2022.01_AnalyseRealisee.xml')))).toMatchObject({ code: '51969-4' });
  });

  it('finds the ClinicalDocument inside an "autoprésentable" document (CDA embedded in its XSLT)', () => {
    expect(readCdaHeader(fs.readFileSync(path.join(examples, 'CANCER-PPS_2022.01_Autopresentable.xml')))).toEqual({
      root: 'stylesheet',
      code: '18776-5',
      templateIds: ['2.16.840.1.113883.2.8.2.1', '1.2.250.1.213.1.1.1.1', '1.2.250.1.213.1.1.1.26'],
    });
  });

  it('takes only direct header children: not codes of later elements, not commented-out elements, prefixes allowed', () => {
    const xml = `<?xml version="1.0"?><!-- <code code="fake"/> -->
      <h:ClinicalDocument xmlns:h="urn:hl7-org:v3"><h:typeId root="x"/><h:templateId root='1.2.3' extension="a"/>
      <h:id root="9"/><h:code code="34794-8" codeSystem="2.16.840.1.113883.6.1"><h:translation code="other"/></h:code>
      <h:templateId root="after-code"/><h:title>t</h:title><h:component><h:templateId root="in-body"/></h:component></h:ClinicalDocument>`;
    expect(readCdaHeader(xml)).toEqual({ root: 'ClinicalDocument', code: '34794-8', templateIds: ['1.2.3', 'after-code'] });
  });

  it('stops at the first element after the header and never resolves anything', () => {
    const xml = `<!DOCTYPE ClinicalDocument [<!ENTITY e SYSTEM "file:///etc/passwd">]><ClinicalDocument><title/><code code="&e;"/></ClinicalDocument>`;
    expect(readCdaHeader(xml)).toEqual({ root: 'ClinicalDocument', templateIds: [] });
    expect(readCdaHeader('{"resourceType":"Bundle"}')).toEqual({ templateIds: [] });
    expect(readCdaHeader('<Other><code code="1"/></Other>')).toEqual({ root: 'Other', templateIds: [] });
  });
});
