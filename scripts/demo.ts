import fs from 'node:fs';
import path from 'node:path';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { startTestFhirServer } from '../src/devtools/fhir-server.js';
import { Engine } from '../src/runtime/engine.js';
import { engineConfigFromEnv } from '../src/runtime/config.js';
import { createLogger } from '../src/monitor/logger.js';
import { freePort } from '../src/infra/free-port.js';

const root = path.resolve(import.meta.dirname, '..');
const once = process.argv.includes('--once');
const demoDir = path.join(root, '.relais', 'demo');
fs.rmSync(demoDir, { recursive: true, force: true });

const fhirPort = await freePort();
const fhir = await startTestFhirServer({ port: fhirPort });
Object.assign(process.env, {
  DCC_FHIR_URL: fhir.baseUrl,
  RELAIS_INBOX: path.join(demoDir, 'inbox'),
  RELAIS_OUTBOX: path.join(demoDir, 'outbox'),
});
const engine = await Engine.start(
  engineConfigFromEnv(process.env, { channelsDir: path.join(root, 'channels'), dataDir: path.join(demoDir, 'data'), httpPort: await freePort(), redisUrl: undefined, databaseUrl: undefined }),
  { logger: createLogger(process.env.LOG_LEVEL ?? 'warn') },
);
console.log(`Relais is running: ${engine.channels.length} channel(s), store ${engine.store.db.kind}, embedded redis-server`);
console.log(`  DCC stand-in FHIR server: ${fhir.baseUrl}`);
console.log(`  health ${engine.adminUrl}/health   metrics ${engine.adminUrl}/metrics   admin ${engine.adminUrl}/api/messages\n`);

const inbox = path.join(demoDir, 'inbox', 'identity');
fs.mkdirSync(inbox, { recursive: true });
const demoFiles = fs.readdirSync(path.join(root, 'fixtures/identity/demo'));
for (const f of demoFiles) fs.copyFileSync(path.join(root, 'fixtures/identity/demo', f), path.join(inbox, f));
console.log(`Dropped ${demoFiles.join(', ')} into ${path.relative(root, inbox)}; waiting for the channel…`);

const FINAL = new Set(['delivered', 'rejected', 'filtered', 'held', 'error', 'split']);
const deadline = Date.now() + 60_000;
let rows = await engine.store.find({ limit: 500 });
while (Date.now() < deadline) {
  rows = await engine.store.find({ limit: 500 });
  const parents = rows.filter((m) => !m.parent_id);
  if (parents.length === demoFiles.length && rows.every((m) => FINAL.has(m.status))) break;
  await new Promise((r) => setTimeout(r, 250));
}

console.log('\nMessages in the store (relais messages):');
for (const m of rows.sort((a, b) => Number(a.seq) - Number(b.seq))) {
  const issues = m.issues.filter((i) => i.severity !== 'info').map((i) => `${i.code}: ${i.message}`).join(' | ');
  console.log(`  ${m.id}  ${m.status.padEnd(9)} ${(m.source_ref ?? '').padEnd(34)} ${issues}`);
}
const bundle = (await (await fetch(`${fhir.baseUrl}/Patient?_count=100`)).json()) as Bundle<Patient>;
console.log(`\nPatients in the DCC FHIR server: ${bundle.entry?.length ?? 0}`);
for (const e of bundle.entry ?? []) {
  const p = e.resource!;
  const ins = p.identifier?.find((i) => i.system?.startsWith('urn:oid:1.2.250.1.213.1.4.'));
  const name = p.name?.find((n) => n.use === 'official');
  console.log(`  ${p.resourceType}/${p.id}  ${name?.family ?? ''} ${name?.given?.join(' ') ?? ''}  born ${p.birthDate}  INS ${ins?.value ?? '(not propagated)'}`);
}
const outbox = path.join(demoDir, 'outbox', 'identity');
console.log(`\nFiles written by the file destination: ${fs.existsSync(outbox) ? fs.readdirSync(outbox).length : 0} in ${path.relative(root, outbox)}`);

if (once) {
  await engine.stop();
  await fhir.close();
  const delivered = rows.filter((m) => m.status === 'delivered').length;
  process.exit(delivered > 0 ? 0 : 1);
}
console.log('\nThe engine keeps running: drop more CSV files into the inbox. Ctrl-C to stop.');
const stop = async () => {
  await engine.stop();
  await fhir.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
