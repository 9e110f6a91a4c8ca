/**
 * `relais run-once cda-documents <bundle> --out <dir>`: the real CLI process, the repository channel, the ANS kit in
 * ../shared (the channel's defaults). Each fiche RCP fixture is written as a CDA document (exit 0); broken inputs
 * exit 1 with their issues. The first run may compile the CI-SIS schematrons (minutes, then cached in the OS tmpdir).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import mapping from '../mappings/fhir-document-to-cda.js';
import { repoRoot, tmpDir } from './helpers.js';

const relais = (args: string[]) =>
  spawnSync(process.execPath, [path.join(repoRoot, 'bin/relais.mjs'), ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, RELAIS_DATA_DIR: tmpDir('cda-cli-data') }, timeout: 900_000 });

const fixture = (name: string) => path.join('fixtures/fhir/rcp', name);

describe('relais run-once cda-documents', () => {
  it.each(['appareil.json', 'transversale.json', 'appareil-v2-rplc.json', 'minimal.json'])('%s → outbox.xml, exit 0', (name) => {
    const out = tmpDir('cda-runonce');
    const r = relais(['run-once', 'cda-documents', fixture(name), '--out', out]);
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr.replace(/npm warn.*\n/g, '') }).toMatchObject({ status: 0 });
    expect(r.stdout).toContain(`${name}: routed`);
    const written = fs.readFileSync(path.join(out, 'outbox.xml'), 'utf8');
    const expected = mapping.map(JSON.parse(fs.readFileSync(path.join(repoRoot, fixture(name)), 'utf8')), { channelId: 'x', messageId: 'y', receivedAt: new Date(0) });
    expect(written).toBe(expected.output?.content);
    expect(written).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<ClinicalDocument xmlns="urn:hl7-org:v3"/);
  }, 900_000);

  it('a broken fiche exits 1 with its issues and writes nothing', () => {
    const out = tmpDir('cda-runonce-bad');
    const bad = relais(['run-once', 'cda-documents', fixture('invalid/missing-ins-traits.json'), '--out', out]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('missing-ins-traits.json: rejected');
    expect(bad.stdout).toContain("ERROR CDA_INS_TRAIT at Composition.subject.resolve().name.where(use='official').family");
    expect(fs.readdirSync(out)).toEqual([]);
    const schematron = relais(['run-once', 'cda-documents', fixture('invalid/topography-not-in-jdv.json'), '--out', out]);
    expect(schematron.status).toBe(1);
    expect(schematron.stdout).toMatch(/ERROR SCH_ASSERT at \/ClinicalDocument\/.*\/targetSiteCode\[1\]: .*JDV_Tumeur_CISIS/);
    const truncated = relais(['run-once', 'cda-documents', fixture('invalid/truncated.json'), '--out', out]);
    expect(truncated.status).toBe(1);
    expect(truncated.stdout).toMatch(/ERROR JSON_PARSE at line \d+, column \d+: not valid JSON/);
  }, 900_000);
});
