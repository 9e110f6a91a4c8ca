import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestFhirServer, type TestFhirServer } from '../src/devtools/fhir-server.js';
import { eventually, identityCsv, repoRoot, tmpDir } from './helpers.js';

const ROWS = 150;

/**
 * The engine on its embedded defaults (its own redis-server, PGlite) as a child process, killed with SIGKILL in the
 * middle of a batch and started again: every row reaches the FHIR server exactly once (one patient per identity),
 * and the store ends with every row delivered.
 */
describe('kill -9 mid-batch, restart', () => {
  let fhir: TestFhirServer;
  const dir = tmpDir('crash');
  let child: ChildProcess | undefined;
  let log = '';

  const startEngine = () => {
    child = spawn(process.execPath, [path.join(repoRoot, 'bin/relais.mjs'), 'start'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        REDIS_URL: '',
        DATABASE_URL: '',
        RELAIS_DATA_DIR: path.join(dir, 'data'),
        RELAIS_INBOX: path.join(dir, 'inbox'),
        RELAIS_OUTBOX: path.join(dir, 'outbox'),
        RELAIS_HTTP_PORT: '0',
        DCC_FHIR_URL: fhir.baseUrl,
        FR_CORE_DIR: path.resolve(repoRoot, '../shared/fhir/fr-core-2.0.0'),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    return child;
  };
  const patientCount = async () => {
    const r = await fetch(`${fhir.baseUrl}/Patient?_summary=count`);
    return ((await r.json()) as { total?: number }).total ?? 0;
  };

  beforeAll(async () => {
    // slow the DCC down a little so that the kill lands mid-batch
    fhir = await startTestFhirServer({ delayMs: 15 });
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await fhir?.close();
    // stop the orphaned redis-server of the last engine, if any
    const pidFile = path.join(dir, 'data', 'redis', 'redis.pid');
    if (fs.existsSync(pidFile)) {
      try {
        process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
  });

  it('loses nothing and duplicates nothing at the destination', async () => {
    const first = startEngine();
    const inbox = path.join(dir, 'inbox', 'identity');
    await eventually(() => fs.existsSync(path.join(inbox, '.processing')), 60_000, `engine start: ${log}`);
    fs.writeFileSync(path.join(inbox, 'batch.tmp'), identityCsv(ROWS));
    fs.renameSync(path.join(inbox, 'batch.tmp'), path.join(inbox, 'batch.csv'));
    await eventually(async () => (await patientCount()) >= 20, 60_000, 'first patients delivered');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = await patientCount();
    expect(atKill).toBeLessThan(ROWS); // the kill really happened mid-batch

    const second = startEngine();
    await eventually(async () => (await patientCount()) === ROWS, 120_000, `all ${ROWS} patients after restart`);
    // give the restarted engine time to (wrongly) send anything twice
    await new Promise((r) => setTimeout(r, 3000));
    expect(await patientCount()).toBe(ROWS);
    const outbox = fs.readdirSync(path.join(dir, 'outbox', 'identity')).filter((f) => f.endsWith('.json'));
    expect(outbox).toHaveLength(ROWS);
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
    expect(log).toContain('engine stopped');
  }, 300_000);
});
