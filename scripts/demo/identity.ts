import fs from 'node:fs';
import path from 'node:path';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import type { Engine } from '../../src/runtime/engine.js';
import { printMessages, settled } from './wait.js';

/** Identity CSV drops: copies the demo files into the folder source's inbox and shows what reached the DCC. */
export async function demoIdentityCsv(engine: Engine, root: string, demoDir: string, fhirBaseUrl: string): Promise<number> {
  const inbox = path.join(demoDir, 'inbox', 'identity');
  fs.mkdirSync(inbox, { recursive: true });
  const files = fs.readdirSync(path.join(root, 'fixtures/identity/demo'));
  for (const f of files) fs.copyFileSync(path.join(root, 'fixtures/identity/demo', f), path.join(inbox, f));
  console.log(`\n== identity-csv: dropped ${files.join(', ')} into ${path.relative(root, inbox)}`);
  const rows = await settled(engine, 'identity-csv', files.length);
  printMessages(rows);
  const bundle = (await (await fetch(`${fhirBaseUrl}/Patient?_count=100`)).json()) as Bundle<Patient>;
  console.log(`  Patients in the DCC FHIR server: ${bundle.entry?.length ?? 0}`);
  for (const e of bundle.entry ?? []) {
    const p = e.resource!;
    const ins = p.identifier?.find((i) => i.system?.startsWith('urn:oid:1.2.250.1.213.1.4.'));
    const name = p.name?.find((n) => n.use === 'official');
    console.log(`    Patient/${p.id}  ${name?.family ?? ''} ${name?.given?.join(' ') ?? ''}  born ${p.birthDate}  INS ${ins?.value ?? '(not propagated)'}`);
  }
  const outbox = path.join(demoDir, 'outbox', 'identity');
  console.log(`  files written by the file destination: ${fs.existsSync(outbox) ? fs.readdirSync(outbox).length : 0} in ${path.relative(root, outbox)}`);
  return rows.filter((m) => m.status === 'delivered').length;
}
