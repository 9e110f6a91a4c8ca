import { freePort } from '../src/infra/free-port.js';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Patient } from '@medplum/fhirtypes';
import { Engine } from '../src/runtime/engine.js';
import { startTestFhirServer, type TestFhirServer } from '../src/devtools/fhir-server.js';
import { eventually, identityCsv, nirWithKey, repoRoot, tmpDir } from './helpers.js';
import { startTestEngine } from './test-engine.js';

/** The real identity-csv channel file, on real Redis and PostgreSQL, delivering to a real FHIR server over HTTP. */
describe('identity-csv channel end to end', () => {
  let engine: Engine;
  let fhir: TestFhirServer;
  let inbox: string;
  let outbox: string;
  /** Requests whose body contains `text` get `status`, `times` times. */
  let failures: { text: string; status: number; times: number }[] = [];
  const dir = tmpDir('e2e');

  beforeAll(async () => {
    fhir = await startTestFhirServer({
      fail: ({ body }) => {
        const f = failures.find((x) => x.times > 0 && body.includes(x.text));
        if (!f) return undefined;
        f.times--;
        return f.status;
      },
    });
    inbox = path.join(dir, 'inbox');
    outbox = path.join(dir, 'outbox');
    // every listening channel of channels/ gets a free port, so this test never collides with a running engine
    Object.assign(process.env, { RELAIS_INBOX: inbox, RELAIS_OUTBOX: outbox, DCC_FHIR_URL: fhir.baseUrl, FR_CORE_DIR: path.resolve(repoRoot, '../shared/fhir/fr-core-2.0.0'), PAM_FR_MLLP_PORT: String(await freePort()) });
    engine = await startTestEngine(path.join(repoRoot, 'channels'), { dir, name: 'e2e' });
  });
  afterAll(async () => {
    await engine?.stop();
    await fhir?.close();
  });

  const drop = (name: string, content: string | Buffer) => {
    const identity = path.join(inbox, 'identity');
    fs.mkdirSync(identity, { recursive: true });
    fs.writeFileSync(path.join(identity, `${name}.tmp`), content);
    fs.renameSync(path.join(identity, `${name}.tmp`), path.join(identity, name)); // pattern *.csv ignores .tmp
  };
  const patients = async (identifier: string) => {
    const r = await fetch(`${fhir.baseUrl}/Patient?identifier=${encodeURIComponent(identifier)}`);
    return ((await r.json()) as { entry?: { resource: Patient }[] }).entry?.map((e) => e.resource) ?? [];
  };
  const byRef = async (ref: string) => (await engine.store.find({ channelId: 'identity-csv', limit: 1000 })).filter((m) => m.source_ref?.startsWith(ref));

  it('routes good rows to FHIR and the file destination, stores bad rows with clear errors', async () => {
    drop('bad-rows.csv', fs.readFileSync(path.join(repoRoot, 'fixtures/identity/bad-rows.csv')));
    const parts = await eventually(async () => {
      const all = (await byRef('bad-rows.csv#')).sort((a, b) => (a.part_index ?? 0) - (b.part_index ?? 0));
      return all.length === 3 && all.every((m) => ['delivered', 'rejected'].includes(m.status)) ? all : undefined;
    }, 30_000, 'three rows processed');
    expect(parts.map((m) => m.status)).toEqual(['delivered', 'rejected', 'rejected']);
    expect(parts[1]!.issues).toEqual([expect.objectContaining({ code: 'NIR_KEY', message: expect.stringContaining('expected 38') })]);
    expect(parts[2]!.issues).toEqual([expect.objectContaining({ code: 'BIRTH_DATE_MISSING', path: 'date_naissance' })]);
    const [p] = await patients('urn:oid:1.2.250.1.71.4.2.2|IPP000124');
    expect(p?.name?.[0]).toMatchObject({ family: 'LEFÈVRE', given: ['Jean-Loïc'] });
    expect(fs.readdirSync(path.join(outbox, 'identity')).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    // the file was archived, by year and month
    const d = new Date();
    const archived = path.join(inbox, 'identity', 'archive', String(d.getUTCFullYear()), String(d.getUTCMonth() + 1).padStart(2, '0'), 'bad-rows.csv');
    expect(fs.existsSync(archived)).toBe(true);
    expect((await engine.store.find({ key: 'urn:oid:1.2.250.1.71.4.2.2|IPP000124' })).map((m) => m.id)).toEqual([parts[0]!.id]);
  });

  it('a file-level problem rejects the file as one stored message, nothing is lost', async () => {
    drop('latin1.csv', fs.readFileSync(path.join(repoRoot, 'fixtures/identity/latin1.csv')));
    drop('unknown-column.csv', fs.readFileSync(path.join(repoRoot, 'fixtures/identity/unknown-column.csv')));
    const [latin] = await eventually(async () => ((await byRef('latin1.csv')).filter((m) => m.status === 'rejected').length ? byRef('latin1.csv') : undefined));
    expect(latin!.issues[0]).toMatchObject({ code: 'CSV_ENCODING', message: expect.stringContaining('not valid UTF-8') });
    const [unknown] = await eventually(async () => ((await byRef('unknown-column.csv')).filter((m) => m.status === 'rejected').length ? byRef('unknown-column.csv') : undefined));
    expect(unknown!.issues[0]).toMatchObject({ code: 'CSV_UNKNOWN_COLUMN', message: expect.stringContaining('"couleur_preferee"') });
    expect((await engine.store.snapshot(unknown!.id, 'raw'))?.content.equals(fs.readFileSync(path.join(repoRoot, 'fixtures/identity/unknown-column.csv')))).toBe(true);
  });

  it('the same file dropped twice is recorded once and not sent again', async () => {
    const csv = fs.readFileSync(path.join(repoRoot, 'fixtures/identity/one-qualified.csv'));
    drop('first.csv', csv);
    await eventually(async () => (await byRef('first.csv')).some((m) => m.status === 'delivered'));
    const before = fhir.requests.length;
    drop('second-copy.csv', csv);
    await eventually(() => fs.existsSync(path.join(inbox, 'identity', 'archive')) && !fs.existsSync(path.join(inbox, 'identity', 'second-copy.csv')) && fs.readdirSync(path.join(inbox, 'identity', '.processing')).length === 0);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await byRef('second-copy.csv')).toEqual([]);
    expect(fhir.requests.length).toBe(before);
    expect(await patients('urn:oid:1.2.250.1.213.1.4.8|255081416802538')).toHaveLength(1);
  });

  it('retries a FHIR server error with backoff, and keeps one patient’s messages in order', async () => {
    const ins = nirWithKey('1650375056001');
    const row = (family: string) => `${ins};${family};Paul;1965-03-01;M;75056;IPP777;1.2.250.1.71.4.2.2;VALI`;
    failures = [{ text: 'AVANT', status: 503, times: 2 }]; // only the first row fails, twice
    drop('ordered.csv', `ins;nom_naissance;prenoms_naissance;date_naissance;sexe;lieu_naissance_insee;ipp;ipp_autorite;fiabilite\n${row('AVANT')}\n${row('APRES')}\n`);
    const parts = await eventually(async () => {
      const all = await byRef('ordered.csv#');
      return all.length === 2 && all.every((m) => m.status === 'delivered') ? all : undefined;
    }, 40_000, 'both rows delivered');
    const [p] = await patients(`urn:oid:1.2.250.1.213.1.4.8|${ins}`);
    expect(p?.name?.[0]?.family).toBe('APRES'); // the second row was applied last although the first one had to be retried
    const first = parts.find((m) => m.part_index === 1)!;
    const d = (await engine.store.deliveries(first.id)).find((x) => x.destination_id === 'dcc-fhir');
    expect(d?.attempts).toBeGreaterThanOrEqual(2);
    expect((await engine.store.events(first.id)).map((e) => e.status)).toContain('retrying');
  });

  it('carries a large file in chunks of queue.batchSize; a row that fails is retried inside its batch', async () => {
    failures = [{ text: '"NOM5010"', status: 503, times: 2 }];
    drop('big.csv', identityCsv(250, 5000));
    const parts = await eventually(async () => {
      const all = await byRef('big.csv#');
      return all.length === 250 && all.every((m) => m.status === 'delivered') ? all : undefined;
    }, 60_000, '250 rows delivered');
    // processed where the file is split, in three chunks (100 + 100 + 50 rows): for each destination one delivery job per chunk
    expect(parts.every((m) => m.job_id === null)).toBe(true);
    const deliveries = (await Promise.all(parts.map((m) => engine.store.deliveries(m.id)))).flat();
    for (const dest of ['dcc-fhir', 'archive-file']) expect(new Set(deliveries.filter((d) => d.destination_id === dest).map((d) => d.job_id)).size).toBe(3);
    const retried = parts.find((m) => m.part_index === 11)!; // NOM5010
    expect((await engine.store.delivery(retried.id, 'dcc-fhir'))?.attempts).toBe(3);
    expect((await engine.store.events(retried.id)).filter((e) => e.status === 'retrying')).toHaveLength(2);
    expect(await patients('urn:oid:1.2.250.1.71.4.2.2|IPP005249')).toHaveLength(1);
  });

  it('holds a message the server refuses, and delivers it on replay', async () => {
    failures = [{ text: 'REFUS', status: 422, times: 1 }];
    drop('refused.csv', `ins;nom_naissance;prenoms_naissance;date_naissance;sexe;lieu_naissance_insee;ipp;ipp_autorite;fiabilite\n;REFUS;Zoé;1990-01-01;F;75056;IPP888;1.2.250.1.71.4.2.2;PROV\n`);
    const [held] = await eventually(async () => {
      const all = await byRef('refused.csv');
      return all.length === 1 && all[0]!.status === 'held' ? all : undefined;
    });
    expect((await engine.store.delivery(held!.id, 'dcc-fhir'))?.last_error).toMatch(/refused: HTTP 422/);
    const r = await fetch(`${engine.adminUrl}/api/messages/${held!.id}/replay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ destination: 'dcc-fhir' }) });
    expect(r.status).toBe(200);
    await eventually(async () => (await engine.store.get(held!.id))?.status === 'delivered');
    expect(await patients('urn:oid:1.2.250.1.71.4.2.2|IPP888')).toHaveLength(1);
  });

  it('exposes health and Prometheus metrics', async () => {
    const h = await fetch(`${engine.adminUrl}/health`);
    expect(h.status).toBe(200);
    expect(await h.json()).toMatchObject({ status: 'ok', checks: { redis: true, store: true } });
    const m = await (await fetch(`${engine.adminUrl}/metrics`)).text();
    expect(m).toMatch(/relais_deliveries_total\{channel="identity-csv",destination="dcc-fhir",outcome="sent"\} \d+/);
    expect(m).toMatch(/relais_queue_depth\{queue="deliver.identity-csv.dcc-fhir",state="waiting"\} 0/);
    expect(m).toContain('relais_stage_seconds_bucket');
    expect(m).toContain('relais_queue_oldest_waiting_seconds');
  });
});
