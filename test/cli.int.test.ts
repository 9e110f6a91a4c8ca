import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot, tmpDir } from './helpers.js';

// `relais test` runs every channel's fixtures, cda-documents with the CI-SIS schematrons: minutes on a cold cache
const relais = (args: string[], env: Record<string, string> = {}, timeout = 60_000) =>
  spawnSync(process.execPath, [path.join(repoRoot, 'bin/relais.mjs'), ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, ...env }, timeout });

it('run-once writes each destination output and exits 1 when a part is rejected', () => {
  const out = tmpDir('runonce');
  const ok = relais(['run-once', 'identity-csv', 'fixtures/identity/one-qualified.csv', '--out', out]);
  expect(ok.status).toBe(0);
  expect(JSON.parse(fs.readFileSync(path.join(out, 'dcc-fhir.json'), 'utf8'))).toEqual(JSON.parse(fs.readFileSync(path.join(repoRoot, 'fixtures/identity/expected/one-qualified.dcc-fhir.json'), 'utf8')));
  const bad = relais(['run-once', 'identity-csv', 'fixtures/identity/bad-rows.csv', '--out', path.join(out, 'bad')]);
  expect(bad.status).toBe(1);
  expect(bad.stdout).toContain('ERROR NIR_KEY at ins: the NIR key 39 is wrong (expected 38)');
  expect(bad.stdout).toContain('ERROR BIRTH_DATE_MISSING at date_naissance');
  expect(fs.readdirSync(path.join(out, 'bad')).sort()).toEqual(['archive-file.1.json', 'dcc-fhir.1.json']);
});

it('lint exits 1 with file:line on a broken channel, 0 on the repository channels', () => {
  expect(relais(['lint']).status).toBe(0);
  const dir = tmpDir('lintcli');
  fs.writeFileSync(path.join(dir, 'x.yaml'), 'id: x\nsource:\n  type: folder\n  path: in\n  colour: red\n');
  const r = relais(['lint', '--channels', dir]);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/CHANNEL_UNKNOWN_KEY at .*x\.yaml:5: unknown key "colour"/);
});

it('relais test passes on the repository fixtures and fails on a wrong expectation', { timeout: 1_000_000 }, () => {
  const ok = relais(['test'], {}, 900_000);
  expect(ok.status).toBe(0);
  expect(ok.stdout).toMatch(/\b[1-9]\d* passed, 0 failed/); // every channel's fixture cases (their number grows with the channels)
  const dir = tmpDir('testcli');
  fs.copyFileSync(path.join(repoRoot, 'channels/identity-csv.yaml'), path.join(dir, 'identity-csv.yaml'));
  fs.writeFileSync(path.join(dir, 'identity-csv.test.yaml'), `cases:\n  - name: wrong\n    input: ${path.join(repoRoot, 'fixtures/identity/bad-rows.csv')}\n    parts:\n      - status: routed\n      - status: routed\n      - status: rejected\n        issues: [BIRTH_DATE_MISSING]\n`);
  const r = relais(['test', '--channels', dir], { FR_CORE_DIR: path.resolve(repoRoot, '../shared/fhir/fr-core-2.0.0') });
  expect(r.status).toBe(1);
  expect(r.stdout).toContain('part 2 (line 3): expected routed, got rejected');
});

it('messages and replay work on the store while no engine runs (PGlite)', () => {
  const data = tmpDir('msgcli');
  const r = relais(['messages', '--json'], { RELAIS_DATA_DIR: data, DATABASE_URL: '' });
  expect(r.status).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual([]);
  const rep = relais(['replay', 'nope'], { RELAIS_DATA_DIR: data, DATABASE_URL: '' });
  expect(rep.status).toBe(1);
  expect(rep.stderr).toContain('no message nope');
});

it('start exits 1 with the reason when the store cannot be opened (nothing left running)', () => {
  const data = tmpDir('startfail');
  const r = relais(['start'], { DATABASE_URL: 'postgres://relais@127.0.0.1:1/nope', RELAIS_DATA_DIR: data, RELAIS_HTTP_PORT: '0', FR_CORE_DIR: path.resolve(repoRoot, '../shared/fhir/fr-core-2.0.0') });
  expect(r.error).toBeUndefined(); // not killed by the timeout: the process ended by itself
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/ECONNREFUSED/);
});
