import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChannelFile, loadChannels } from './channel-loader.js';
import { registry } from './registry.js';
import { channelJsonSchema } from './write-json-schema.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-lint-'));
const write = (name: string, text: string) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
};
const GOOD = `id: good
source:
  type: folder
  path: in
parse:
  format: csv
  columns: [a]
map: identity-csv-to-patient
route:
  - id: out
    type: file
    path: out
`;

describe('channel lint', () => {
  it('accepts a valid channel and fills defaults', () => {
    const r = loadChannelFile(write('good.yaml', GOOD), registry);
    expect(r.issues).toEqual([]);
    expect(r.channel?.config.queue.concurrency).toBe(4);
    expect(r.channel?.config.retry.attempts).toBe(12);
  });

  it('reports an unknown key at its line', () => {
    const f = write('typo.yaml', GOOD.replace('id: typo', 'id: typo').replace('id: good', 'id: typo').replace('  path: in\n', '  path: in\n  patern: "*.csv"\n'));
    const r = loadChannelFile(f, registry);
    expect(r.issues).toEqual([expect.objectContaining({ code: 'CHANNEL_UNKNOWN_KEY', path: expect.stringMatching(/typo\.yaml:5$/), message: expect.stringContaining('"patern"') })]);
  });

  it('reports a wrong type, an unknown connector and an unknown mapping with lines', () => {
    const f = write('bad.yaml', GOOD.replace('id: good', 'id: bad').replace('type: file', 'type: ftp').replace('map: identity-csv-to-patient', 'map: nope').replace('  columns: [a]\n', '  columns: [a]\n  delimiter: 42\n'));
    const r = loadChannelFile(f, registry);
    const lines = r.issues.map((i) => `${i.code}@${i.path?.split(':').pop()}`);
    expect(lines).toEqual(expect.arrayContaining(['CHANNEL_SCHEMA@8', 'CHANNEL_SCHEMA@12']));
    const r2 = loadChannelFile(write('bad2.yaml', GOOD.replace('id: good', 'id: bad2').replace('map: identity-csv-to-patient', 'map: nope')), registry);
    expect(r2.issues).toEqual([expect.objectContaining({ code: 'CHANNEL_MAPPING', path: expect.stringMatching(/bad2\.yaml:8$/) })]);
  });

  it('requires the id to equal the file name, and unique destination ids', () => {
    const r = loadChannelFile(write('other-name.yaml', GOOD + '  - id: out\n    type: file\n    path: out2\n'), registry);
    expect(r.issues.map((i) => i.code)).toEqual(['CHANNEL_ID', 'CHANNEL_DEST_ID']);
  });

  it('never accepts a secret written in the file', () => {
    const f = write('secret.yaml', GOOD.replace('id: good', 'id: secret').replace('    type: file\n    path: out\n', '    type: fhir\n    baseUrl: http://x/fhir\n    token: s3cr3t\n'));
    expect(loadChannelFile(f, registry).issues[0]).toMatchObject({ code: 'CHANNEL_SCHEMA', message: expect.stringContaining('route.0.token') });
  });

  it('asks each source what it claims: two listeners on one port conflict, an HTTP path is not a folder, port 0 is free', () => {
    const listener = (id: string, source: string) => GOOD.replace('id: good', `id: ${id}`).replace('  type: folder\n  path: in\n', source);
    const mllp = (port: number) => `  type: mllp\n  port: ${port}\n  tls: false\n`;
    const http = (port: number) => `  type: http\n  port: ${port}\n  path: /fhir/Bundle\n  tls: false\n  auth: { bearer: [{ env: HTTP_TOKEN }] }\n`;
    const lint = (files: Record<string, string>) => {
      const sub = fs.mkdtempSync(path.join(dir, 'claims-'));
      for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(sub, `${name}.yaml`), text);
      return loadChannels(sub, registry).issues.filter((i) => i.severity === 'error');
    };
    expect(lint({ a: listener('a', mllp(2575)), b: listener('b', http(2575)) })).toEqual([expect.objectContaining({ code: 'CHANNEL_CONFLICT', message: expect.stringContaining('port 2575') })]);
    expect(lint({ a: listener('a', http(8443)), b: listener('b', http(8444)) })).toEqual([]);
    expect(lint({ a: listener('a', mllp(0)), b: listener('b', mllp(0)) })).toEqual([]);
  });

  it('reports YAML syntax errors with a line, and two channels watching the same folder', () => {
    expect(loadChannelFile(write('broken.yaml', 'id: broken\nsource: [\n'), registry).issues[0]?.code).toBe('CHANNEL_YAML');
    const sub = fs.mkdtempSync(path.join(dir, 'set-'));
    fs.writeFileSync(path.join(sub, 'a.yaml'), GOOD.replace('id: good', 'id: a'));
    fs.writeFileSync(path.join(sub, 'b.yaml'), GOOD.replace('id: good', 'id: b'));
    expect(loadChannels(sub, registry).issues.map((i) => i.code)).toEqual(['CHANNEL_CONFLICT']);
  });

  it('an unquoted ${NAME} value takes the YAML type of its value (a port is a number); a quoted one stays a string', () => {
    // block style: in a flow mapping ({ … }) an unquoted ${…} is not a plain scalar for YAML
    const text = `id: typed\nenabled: \${ON:-true}\nsource:\n  type: folder\n  path: in\n  pollIntervalMs: \${POLL:-250}\n  pattern: '\${PATTERN:-123}'\nparse: { format: csv, columns: [a] }\nmap: identity-csv-to-patient\nroute:\n  - { id: out, type: file, path: out }\n`;
    const r = loadChannelFile(write('typed.yaml', text), registry, { POLL: '1500' });
    expect(r.issues).toEqual([]);
    expect(r.channel?.config.enabled).toBe(true);
    expect(r.channel?.config.source).toMatchObject({ pollIntervalMs: 1500, pattern: '123' });
    const bad = loadChannelFile(write('typed.yaml', text), registry, { POLL: 'soon' });
    expect(bad.issues).toEqual([expect.objectContaining({ code: 'CHANNEL_SCHEMA', message: expect.stringContaining('source.pollIntervalMs') })]);
  });

  it('the repository channels lint clean and the committed JSON Schema is up to date', () => {
    const repo = path.resolve(import.meta.dirname, '../..');
    const r = loadChannels(path.join(repo, 'channels'), registry);
    expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(fs.readFileSync(path.join(repo, 'schemas/channel.schema.json'), 'utf8')).toBe(channelJsonSchema());
  });
});
