import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ValidateFn } from '../../engine/define.js';
import { xsdValidator } from './xsd.js';

const kit = path.resolve(import.meta.dirname, '../../../../shared/ans/cda');
const example = (name: string) => fs.readFileSync(path.join(kit, 'ExemplesCDA', name));
const xml = (content: string | Buffer, contentType = 'application/xml') => ({ content, contentType });

describe('xsd validator (ANS CDA_extended.xsd)', () => {
  let validate: ValidateFn;
  beforeAll(async () => {
    // the channel file's folder is the kit: the schema path is relative to it, as in a channel
    validate = await xsdValidator.create(xsdValidator.options.parse({ schema: 'infrastructure/cda/CDA_extended.xsd' }), { baseDir: kit });
  });

  it.each(['CANCER-FRCP_2022.01_Appareil.xml', 'CANCER-FRCP_2022.01_Transversale.xml', 'CANCER-PPS_2022.01_feuille-de-style-externe.xml'])('%s is valid (bytes and text)', async (name) => {
    expect(await validate(xml(example(name)))).toEqual([]);
    expect(await validate(xml(example(name).toString('utf8'), 'text/plain'))).toEqual([]);
  });

  it('a broken copy gets an XSD issue with line and element path', async () => {
    const broken = example('CANCER-FRCP_2022.01_Appareil.xml').toString('utf8').replace('<title>', '<titre>x</titre><title>');
    const issues = await validate(xml(broken, 'application/hl7-cda+xml'));
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]).toMatchObject({ severity: 'error', code: 'XSD', path: expect.stringMatching(/^line \d+, \/ClinicalDocument\/titre\[1\]$/) });
    expect(issues[0]!.message).toContain('titre');
  });

  it('refuses content that is not XML text, with a clear issue', async () => {
    expect(await validate({ content: { resourceType: 'Bundle' }, contentType: 'application/fhir+json' })).toEqual([
      expect.objectContaining({ code: 'XML_EXPECTED', message: expect.stringContaining('the xsd validator checks XML, but the mapping produced JSON') }),
    ]);
    expect(await validate({ content: Buffer.from('<a/>'), contentType: 'application/octet-stream' })).toEqual([expect.objectContaining({ code: 'XML_EXPECTED' })]);
    expect(await validate({ content: { a: 1 }, contentType: 'application/xml' })).toEqual([expect.objectContaining({ code: 'XML_EXPECTED', message: expect.stringContaining('a JavaScript object') })]);
  });

  it('refuses a DOCTYPE and reports malformed XML as issues', async () => {
    expect((await validate(xml('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><ClinicalDocument>&e;</ClinicalDocument>')))[0]?.code).toBe('XML_EXTERNAL_ENTITY');
    expect((await validate(xml('<ClinicalDocument>')))[0]?.code).toBe('XML_PARSE');
  });

  it('a schema that cannot be read stops the channel from starting, naming the file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-xsd-'));
    await expect(xsdValidator.create(xsdValidator.options.parse({ schema: 'missing.xsd' }), { baseDir: dir })).rejects.toThrow(/XSD_SCHEMA.*missing\.xsd/);
    fs.rmSync(dir, { recursive: true });
  });
});
