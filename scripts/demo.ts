import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startTestFhirServer } from '../src/devtools/fhir-server.js';
import { Engine } from '../src/runtime/engine.js';
import { engineConfigFromEnv } from '../src/runtime/config.js';
import { createLogger } from '../src/monitor/logger.js';
import { freePort } from '../src/infra/free-port.js';
import { createTestPki } from '../src/net/mllp/test-certs.js';
import { demoIdentityCsv } from './demo/identity.js';
import { demoPamFr } from './demo/pam.js';
import { demoCda } from './demo/cda.js';

/**
 * The demo: the engine on embedded defaults (its own redis-server, PGlite) with the repository's channels, a stand-in
 * DCC FHIR server, and the three inbound paths exercised: identity CSV files, a PAM FR feed over MLLP, FHIR documents
 * over HTTPS turned into CI-SIS CDA. `--once` stops after showing the results (exit 1 if a path delivered nothing).
 */
const root = path.resolve(import.meta.dirname, '..');
const once = process.argv.includes('--once');
const demoDir = path.join(root, '.relais', 'demo');
fs.rmSync(demoDir, { recursive: true, force: true });

const fhir = await startTestFhirServer({ port: await freePort() });
const pki = await createTestPki(); // a throw-away server certificate for the HTTPS endpoint
const tlsDir = path.join(demoDir, 'tls');
fs.mkdirSync(tlsDir, { recursive: true });
fs.writeFileSync(path.join(tlsDir, 'server.crt'), pki.server.cert);
fs.writeFileSync(path.join(tlsDir, 'server.key'), pki.server.key, { mode: 0o600 });
const ports = { mllp: await freePort(), https: await freePort() };
const token = randomBytes(24).toString('base64url');
Object.assign(process.env, {
  DCC_FHIR_URL: fhir.baseUrl,
  RELAIS_INBOX: path.join(demoDir, 'inbox'),
  RELAIS_OUTBOX: path.join(demoDir, 'outbox'),
  PAM_FR_MLLP_PORT: String(ports.mllp),
  CDA_DOCUMENTS_ENABLED: 'true',
  CDA_HTTP_PORT: String(ports.https),
  CDA_TLS_CERT: path.join(tlsDir, 'server.crt'),
  CDA_TLS_KEY: path.join(tlsDir, 'server.key'),
  CDA_HTTP_TOKEN: token,
});
console.log('Starting Relais (the first run compiles the ANS schematrons: a few minutes, cached afterwards)…');
const engine = await Engine.start(
  engineConfigFromEnv(process.env, { channelsDir: path.join(root, 'channels'), dataDir: path.join(demoDir, 'data'), httpPort: await freePort(), redisUrl: undefined, databaseUrl: undefined }),
  { logger: createLogger(process.env.LOG_LEVEL ?? 'warn') },
);
console.log(`Relais is running: ${engine.channels.map((c) => c.config.id).join(', ')}; store ${engine.store.db.kind}, embedded redis-server`);
console.log(`  DCC stand-in FHIR server: ${fhir.baseUrl}`);
console.log(`  health ${engine.adminUrl}/health   metrics ${engine.adminUrl}/metrics   admin ${engine.adminUrl}/api/messages`);

const delivered = {
  identity: await demoIdentityCsv(engine, root, demoDir, fhir.baseUrl),
  pam: await demoPamFr(engine, root, ports.mllp, fhir.baseUrl),
  cda: await demoCda(engine, root, demoDir, { port: ports.https, token, ca: pki.ca.cert }),
};

const stop = async () => {
  await engine.stop();
  await fhir.close();
  await pki.remove();
};
if (once) {
  await stop();
  process.exit(Object.values(delivered).every((n) => n > 0) ? 0 : 1);
}
console.log(`\nThe engine keeps running: drop CSV files into ${path.relative(root, path.join(demoDir, 'inbox', 'identity'))}, send HL7 v2 to MLLP port ${ports.mllp}, POST FHIR documents to https://127.0.0.1:${ports.https}/fhir/Bundle (Bearer ${token}). Ctrl-C to stop.`);
process.on('SIGINT', () => void stop().then(() => process.exit(0)));
process.on('SIGTERM', () => void stop().then(() => process.exit(0)));
