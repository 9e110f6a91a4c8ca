import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import type { Engine } from '../../src/runtime/engine.js';
import { printMessages, settled } from './wait.js';

const DOCUMENTS = ['rcp/appareil.json', 'rcp/transversale.json', 'rcp/appareil-v2-rplc.json', 'pps/pps-full.json', 'rcp/invalid/missing-ins-traits.json'];

function post(url: string, body: Buffer, token: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', ca, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json', 'content-length': body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The DCC pushes FHIR document Bundles (fiche RCP, PPS) over HTTPS; CI-SIS CDA documents land in the outbox. */
export async function demoCda(engine: Engine, root: string, demoDir: string, o: { port: number; token: string; ca: string }): Promise<number> {
  const url = `https://127.0.0.1:${o.port}/fhir/Bundle`;
  const docs = DOCUMENTS.filter((d) => fs.existsSync(path.join(root, 'fixtures/fhir', d)));
  console.log(`\n== cda-documents: POSTing ${docs.length} FHIR document Bundles to ${url}`);
  for (const d of docs) {
    const r = await post(url, fs.readFileSync(path.join(root, 'fixtures/fhir', d)), o.token, o.ca);
    const json = JSON.parse(r.body) as { messageId?: string; id?: string; issue?: { severity?: string; diagnostics?: string; details?: { text?: string } }[] };
    const firstError = json.issue?.find((i) => i.severity === 'error') ?? json.issue?.[0];
    const detail = r.status === 400 ? `${json.issue?.length ?? 0} issue(s), first error: ${firstError?.details?.text ?? firstError?.diagnostics ?? ''}` : (json.messageId ?? '');
    console.log(`  ${d.padEnd(34)} → HTTP ${r.status} ${detail.slice(0, 140)}`);
  }
  const rows = await settled(engine, 'cda-documents', docs.length);
  printMessages(rows);
  const outbox = path.join(demoDir, 'outbox', 'cda');
  const files = fs.existsSync(outbox) ? fs.readdirSync(outbox) : [];
  console.log(`  CDA documents written to ${path.relative(root, outbox)}: ${files.length}`);
  return rows.filter((m) => m.status === 'delivered').length;
}
