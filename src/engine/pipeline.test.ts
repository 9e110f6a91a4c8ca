import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Bundle } from '@medplum/fhirtypes';
import { defineMapping, type MappingDefinition } from './define.js';
import { loadChannelFile } from './channel-loader.js';
import { compileChannel, runPipeline } from './pipeline.js';
import { registry, type Registry } from './registry.js';

/** Records what it was given, to see what a destination mapping receives. */
const seen: unknown[] = [];
const fhirReader = defineMapping<unknown>({
  name: 'test-reads-mapped',
  description: 'reads the channel’s mapped output (its input is not a parse format)',
  input: 'fhir',
  map: (input) => (seen.push(input), { output: { content: { seen: 'mapped' }, contentType: 'application/json' }, issues: [] }),
});
const reg: Registry = { ...registry, mappings: [...registry.mappings, fhirReader as MappingDefinition] };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-pipeline-'));
const ADT = fs.readFileSync(path.resolve(import.meta.dirname, '../../fixtures/hl7v2/pam-fr/a31-update-latin1.hl7'));

const channel = (id: string, route: string) => {
  const file = path.join(dir, `${id}.yaml`);
  fs.writeFileSync(file, `id: ${id}\nsource: { type: folder, path: in }\nparse: { format: hl7v2 }\nmap: pam-fr-adt-to-fhir\nroute:\n${route}`);
  return loadChannelFile(file, reg);
};

describe('runPipeline: destination mappings', () => {
  it('a destination mapping whose input is the parse format gets the parsed message; the others get the mapped output', async () => {
    const loaded = channel(
      'forward',
      `  - { id: fhir-out, type: file, path: out }\n  - { id: forward, type: file, path: fwd, map: hl7v2-forward }\n  - { id: reader, type: file, path: rd, map: test-reads-mapped }\n`,
    );
    expect(loaded.issues).toEqual([]);
    const ch = await compileChannel(loaded.channel!, reg);
    seen.length = 0;
    const r = await runPipeline(ch, ADT, { channelId: 'forward', messageId: 'm1', receivedAt: new Date('2026-01-01T00:00:00Z') });
    expect(r.status).toBe('routed');
    const out = Object.fromEntries(r.outputs.map((o) => [o.destinationId, o.encoded]));
    expect((JSON.parse(out['fhir-out']!.content.toString('utf8')) as Bundle).resourceType).toBe('Bundle');
    // the HL7 message itself, byte for byte (Latin-1, CR ends: the parser left it untouched)
    expect(out.forward!.contentType).toBe('x-application/hl7-v2+er7');
    expect(out.forward!.content.equals(ADT)).toBe(true);
    // a mapping that reads FHIR got the channel's Bundle, not the HL7 message
    expect(seen).toEqual([expect.objectContaining({ resourceType: 'Bundle', type: 'transaction' })]);
  });

  it('lint refuses a destination mapping that reads another parse format (it could read neither the parsed message nor the mapped output)', () => {
    const r = channel('wrong', `  - { id: out, type: file, path: out }\n  - { id: csv, type: file, path: csv, map: identity-csv-to-patient }\n`);
    expect(r.issues).toEqual([expect.objectContaining({ code: 'CHANNEL_MAPPING_INPUT', path: expect.stringMatching(/wrong\.yaml:7$/), message: expect.stringContaining('reads "csv" messages but the channel parses "hl7v2"') })]);
  });

  it('lint still checks the channel mapping against the parse format', () => {
    const file = path.join(dir, 'main.yaml');
    fs.writeFileSync(file, 'id: main\nsource: { type: folder, path: in }\nparse: { format: csv, columns: [a] }\nmap: hl7v2-forward\nroute:\n  - { id: out, type: file, path: out }\n');
    expect(loadChannelFile(file, reg).issues).toEqual([expect.objectContaining({ code: 'CHANNEL_MAPPING_INPUT', message: 'mapping "hl7v2-forward" reads "hl7v2" but the channel parses "csv"' })]);
  });
});
