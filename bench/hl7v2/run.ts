/**
 * HL7v2 parser benchmark: parse + 5 field reads per message, for a small ADT^A01 and a ~50 KB ORU^R01 carrying
 * a Base64 PDF in OBX-5, ours side by side with the npm peers in one run (warm-up, interleaved rounds, median),
 * plus a correctness column over fixed escape / charset / round-trip cases.
 * Run: npx tsx bench/hl7v2/run.ts   (writes bench/hl7v2/RESULTS.md)
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePath, type Hl7Path } from '../../src/formats/hl7v2/index.js';
import { allParsers, ours, type Peer } from './peers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const P = (s: string): Hl7Path => parsePath(s).path!;

// ---- workloads ---------------------------------------------------------------------------------------------
const ADT =
  'MSH|^~\\&|GAM|HOPITAL|DPI|HOPITAL|20240115103000||ADT^A01^ADT_A01|MSG00001|P|2.5|||AL|NE|FRA|8859/1|||2.10^IHE_FR\r' +
  'EVN||20240115103000|||JDUPONT^DUPONT^JEAN\r' +
  'PID|1||123456789^^^HOPITAL&1.2.250.1.71.4.2.2&ISO^PI~2770763220829^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS||MARTIN^JULIE^MARIE^^MME^^L~DURAND^JULIE^^^^^M||19770714|F|||12 RUE DES LILAS^^PARIS^^75011^FRA^H||0145454545^PRN^PH|||M||123456^^^HOPITAL^AN|||||||||||N\r' +
  'PD1||||||||||||N\r' +
  'PV1|1|I|CARDIO^101^1^HOPITAL||||12345^HOUSE^GREGORY^^^DR|||CAR||||1|||12345^HOUSE^GREGORY^^^DR|IN|V123456^^^HOPITAL^VN|||||||||||||||||||||||||20240115103000\r' +
  'ZBE|MVT0001^HOPITAL|20240115103000||INSERT|N\r';
const ADT_READS = ['MSH-10', 'MSH-9.2', 'PID-3[2].1', 'PID-5.1', 'PV1-3.1'].map(P);

function buildOru(): string {
  const pdf = Buffer.alloc(36 * 1024);
  for (let i = 0; i < pdf.length; i++) pdf[i] = (i * 2654435761) >>> 24;
  const obx = Array.from({ length: 20 }, (_, i) => `OBX|${i + 2}|NM|${1000 + i}-${i}^Analyte ${i}^LN||${(i * 1.7).toFixed(1)}|mmol/L|1.0-9.9|N|||F|||20240115090000\r`).join('');
  return (
    'MSH|^~\\&|SIL|LABO|DPI|HOPITAL|20240115103000||ORU^R01^ORU_R01|ORU00042|P|2.5|||AL|NE|FRA|UNICODE UTF-8\r' +
    'PID|1||123456789^^^HOPITAL^PI||MARTIN^JULIE^^^^^L||19770714|F\r' +
    'PV1|1|O\r' +
    'ORC|RE|CMD1^DPI|LAB1^LABO\r' +
    'OBR|1|CMD1^DPI|LAB1^LABO|11502-2^CR d\'examens biologiques^LN|||20240115090000||||||||||||||||||F\r' +
    `OBX|1|ED|11502-2^CR^LN||^AP^PDF^Base64^${pdf.toString('base64')}||||||F\r` +
    obx
  );
}
const ORU = buildOru();
const ORU_READS = ['MSH-10', 'PID-5.1', 'OBR-4.1', 'OBX-2', 'OBX[3]-5'].map(P);

// ---- correctness cases -------------------------------------------------------------------------------------
interface Case {
  name: string;
  input: string | Buffer;
  path?: string;
  expected?: string;
  /** Round-trip case: serialise must give back the input exactly. */
  roundTrip?: boolean;
}
const msh = (charset = '') => `MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5|||||FRA|${charset}\r`;
const CASES: Case[] = [
  { name: '`\\F\\` → `|`', input: `${msh()}PID|1||||A\\F\\B\r`, path: 'PID-5.1', expected: 'A|B' },
  { name: '`\\S\\` → `^`', input: `${msh()}PID|1||||A\\S\\B\r`, path: 'PID-5.1', expected: 'A^B' },
  { name: '`\\T\\` → `&`', input: `${msh()}PID|1||||A\\T\\B\r`, path: 'PID-5.1', expected: 'A&B' },
  { name: '`\\R\\` → `~`', input: `${msh()}PID|1||||A\\R\\B\r`, path: 'PID-5.1', expected: 'A~B' },
  { name: '`\\E\\` → `\\`', input: `${msh()}PID|1||||A\\E\\B\r`, path: 'PID-5.1', expected: 'A\\B' },
  { name: '`\\X..\\` hex in MSH-18 charset (`\\XC3A9\\`, UTF-8)', input: `${msh('UNICODE UTF-8')}PID|1||||Caf\\XC3A9\\\r`, path: 'PID-5.1', expected: 'Café' },
  { name: 'Latin-1 bytes, MSH-18 `8859/1`', input: Buffer.from(`${msh('8859/1')}PID|1||||Ren\u00e9\r`, 'latin1'), path: 'PID-5.1', expected: 'René' },
  { name: 'UTF-8 bytes, MSH-18 `UNICODE UTF-8`', input: Buffer.from(`${msh('UNICODE UTF-8')}PID|1||||Zoë\r`, 'utf8'), path: 'PID-5.1', expected: 'Zoë' },
  { name: 'custom delimiters (`MSH$%*/!`)', input: 'MSH$%*/!$A$B$C$D$1$$ADT%A01$1$P$2.5\rPID$1$$$$X%Y/F/Z\r', path: 'PID-5.2', expected: 'Y$Z' },
  { name: 'byte round trip (LF ends, trailing `|`)', input: Buffer.from(`${msh('UNICODE UTF-8').replace('\r', '\n')}PID|1||||Zoë^\\T\\||\n`, 'utf8'), roundTrip: true },
];

function runCase(peer: Peer, c: Case): boolean {
  try {
    const input = peer.takesBytes || typeof c.input === 'string' ? c.input : c.input.toString();
    const r = peer.parse(input);
    if (c.roundTrip) {
      const out = r.serialize();
      return Buffer.isBuffer(c.input) ? Buffer.from(out).equals(c.input) : out === c.input;
    }
    return r.get(P(c.path!)) === c.expected;
  } catch {
    return false;
  }
}

// ---- timing --------------------------------------------------------------------------------------------------
let sink = 0;
function iterate(peer: Peer, text: string, reads: Hl7Path[], ms: number): number {
  const end = performance.now() + ms;
  let n = 0;
  do {
    for (let k = 0; k < 10; k++) {
      const r = peer.parse(text);
      for (const p of reads) sink += r.get(p).length;
    }
    n += 10;
  } while (performance.now() < end);
  return n;
}

function measure(peer: Peer, text: string, reads: Hl7Path[], ms: number): number {
  const t0 = performance.now();
  const n = iterate(peer, text, reads, ms);
  return (n * 1000) / (performance.now() - t0);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const SLICE_MS = Number(process.env.SLICE_MS ?? 300);

const workloads = [
  { name: 'ADT^A01', text: ADT, reads: ADT_READS },
  { name: 'ORU^R01', text: ORU, reads: ORU_READS },
];

// the reads every peer must get right before being timed (otherwise its figure would compare different work)
const expectedReads = workloads.map((w) => w.reads.map((p) => ours.parse(w.text).get(p)));
const readsOk = new Map(allParsers.map((peer) => [peer.name, workloads.map((w, i) => w.reads.every((p, j) => (() => { try { return peer.parse(w.text).get(p) === expectedReads[i]![j]; } catch { return false; } })()))]));

for (const peer of allParsers) for (const w of workloads) measure(peer, w.text, w.reads, SLICE_MS); // warm-up
const samples = new Map<string, number[][]>(allParsers.map((p) => [p.name, workloads.map(() => [])]));
for (let round = 0; round < ROUNDS; round++) {
  const order = allParsers.map((_, i) => allParsers[(i + round) % allParsers.length]!);
  for (const w of workloads.keys()) for (const peer of order) samples.get(peer.name)![w]!.push(measure(peer, workloads[w]!.text, workloads[w]!.reads, SLICE_MS));
}

// ---- report --------------------------------------------------------------------------------------------------
const fmt = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
const ourRates = workloads.map((_, w) => median(samples.get(ours.name)![w]!));
const rows = allParsers.map((peer) => {
  const rates = workloads.map((_, w) => median(samples.get(peer.name)![w]!));
  const correct = CASES.filter((c) => runCase(peer, c)).length;
  const cells = rates.flatMap((r, w) => [`${fmt(r)}${readsOk.get(peer.name)![w] ? '' : ' ⚠'}`, `${(r / ourRates[w]!).toFixed(2)}×`]);
  return `| ${peer.name} | ${cells.join(' | ')} | ${correct}/${CASES.length} |`;
});
const cell = (s: string) => s.replace(/\|/g, '\\|');
const caseRows = CASES.map((c) => `| ${cell(c.name)} | ${allParsers.map((p) => (runCase(p, c) ? '✓' : '✗')).join(' | ')} |`);
const report = [
  '# HL7v2 parser benchmark',
  '',
  `Parse + 5 field reads per message, median of ${ROUNDS} interleaved rounds of ${SLICE_MS} ms after a warm-up. ` +
    `Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${new Date().toISOString().slice(0, 10)}. ` +
    `Inputs are strings (CR segment ends) for every parser. ADT^A01: ${ADT.length} bytes; ORU^R01: ${ORU.length} bytes (36 KB PDF in OBX-5 as Base64 + 20 OBX).`,
  '',
  '| parser | ADT^A01 msgs/s | vs ours | ORU^R01 ~50 KB msgs/s | vs ours | escape/charset cases |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...rows,
  '',
  '⚠ = the parser returned a different value for at least one of the 5 timed reads (figures then compare different work).',
  '',
  `Correctness cases (peers take strings only: the harness gives them \`bytes.toString()\`, i.e. UTF-8, Node's default; a fixed Latin-1 decoding would pass the 8859/1 case and fail the UTF-8 one):`,
  '',
  `| case | ${allParsers.map((p) => p.name).join(' | ')} |`,
  `| --- | ${allParsers.map(() => ':---:').join(' | ')} |`,
  ...caseRows,
  '',
  `Reads timed: ADT ${ADT_READS.map((p) => `\`${p.segment}${p.segmentIndex > 1 ? `[${p.segmentIndex}]` : ''}-${p.field}${p.repetition ? `[${p.repetition}]` : ''}${p.component ? `.${p.component}` : ''}\``).join(', ')}; ` +
    `ORU ${ORU_READS.map((p) => `\`${p.segment}${p.segmentIndex > 1 ? `[${p.segmentIndex}]` : ''}-${p.field}${p.component ? `.${p.component}` : ''}\``).join(', ')}.`,
  '',
];
writeFileSync(path.join(here, 'RESULTS.md'), report.join('\n'));
console.log(report.join('\n'));
if (sink === -1) console.log(sink);
