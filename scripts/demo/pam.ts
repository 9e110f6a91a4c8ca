import fs from 'node:fs';
import path from 'node:path';
import type { Bundle, Encounter } from '@medplum/fhirtypes';
import type { Engine } from '../../src/runtime/engine.js';
import { createMllpClient } from '../../src/net/mllp/index.js';
import { parseHl7 } from '../../src/formats/hl7v2/index.js';
import { printMessages, settled } from './wait.js';

/** A hospital's PAM FR feed: a few ADT messages over MLLP (plain TCP on loopback), one ACK each. */
const FEED = ['a28-create.hl7', 'a01-admit.hl7', 'a02-transfer.hl7', 'a31-update-latin1.hl7', 'a31-ins-bad-key.hl7', 'a03-discharge.hl7', 'a14-unsupported.hl7'];

export async function demoPamFr(engine: Engine, root: string, port: number, fhirBaseUrl: string): Promise<number> {
  console.log(`\n== pam-fr-adt: sending ${FEED.length} ADT messages over MLLP to 127.0.0.1:${port}`);
  const client = createMllpClient({ host: '127.0.0.1', port, tls: false });
  try {
    for (const f of FEED) {
      const ack = await client.send(fs.readFileSync(path.join(root, 'fixtures/hl7v2/pam-fr', f)), { timeoutMs: 10_000 });
      const msa = parseHl7(ack).message?.get('MSA-1') ?? '?';
      console.log(`  ${f.padEnd(24)} → ACK ${msa}`);
    }
  } finally {
    await client.close();
  }
  const rows = await settled(engine, 'pam-fr-adt', FEED.length);
  printMessages(rows);
  const encounters = (await (await fetch(`${fhirBaseUrl}/Encounter?_count=100`)).json()) as Bundle<Encounter>;
  console.log(`  Encounters in the DCC FHIR server: ${encounters.entry?.length ?? 0}`);
  for (const e of encounters.entry ?? []) {
    const enc = e.resource!;
    console.log(`    Encounter/${enc.id}  ${enc.status}  ${enc.class?.code ?? ''}  ${enc.period?.start ?? ''}${enc.partOf ? '  (movement)' : '  (visit)'}`);
  }
  return rows.filter((m) => m.status === 'delivered').length;
}
