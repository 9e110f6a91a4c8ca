/**
 * CDA benchmark: documents per second on one core for build (FHIR document Bundle → CDA, when the mapping exists) +
 * XSD (CDA_extended.xsd) + Schematron (FRCP / PPS volet chosen per document + the generic CI-SIS profiles, as in
 * channels/cda-documents.yaml; structurationMinimale measured as an extra configuration), through
 * the same validator functions a channel runs; and, in the same run, Debian `xmllint --schema` on the same documents
 * for the XSD step (process start and schema compile measured apart from the per-document cost).
 *
 * Run on one core:  taskset -c 1 npx tsx bench/cda/run.ts [--rounds 5] [--repeat 5] [--xmllint-n 100]
 *                   [--no-strucmin] [--cache-dir DIR] [--kit DIR]       (writes bench/cda/RESULTS.md)
 * Never asserted anywhere: the figures depend on the machine and its load.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Mapped, MappingDefinition, ValidateFn } from '../../src/engine/define.js';
import { hasErrors, type Issue } from '../../src/engine/issues.js';
import { compileSchematron, parseSchematronSource, type SchematronValidator } from '../../src/formats/schematron/index.js';
import { fhirJsonParser } from '../../src/steps/parsers/fhir-json.js';
import { readCdaHeader } from '../../src/steps/validators/cda-header.js';
import { matches, schematronValidator } from '../../src/steps/validators/schematron.js';
import { xsdValidator } from '../../src/steps/validators/xsd.js';
import { measureXmllint, xmllintAvailable } from './xmllint.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const ROUNDS = Number(arg('rounds', '5'));
const REPEAT = Number(arg('repeat', '5'));
const XMLLINT_N = Number(arg('xmllint-n', '100'));
const KIT = path.resolve(arg('kit', path.join(repoRoot, '../shared/ans/cda')));
const CACHE = path.resolve(arg('cache-dir', path.join(os.tmpdir(), 'relais-sch-ans-cache')));
const STRUCMIN = !process.argv.includes('--no-strucmin');
const XSD = 'infrastructure/cda/CDA_extended.xsd';

const FRCP = '34794-8';
const PPS = '18776-5';
interface SchFile {
  path: string;
  phase?: string;
  when?: { documentCode: string; templateId: string };
}
/** What channels/cda-documents.yaml runs: the volet of the document + IHE + ModelesDeContenusCDA + Modeles_ANS. */
const CORE: SchFile[] = [
  { path: 'schematrons/CI-SIS_CANCER-FRCP_2022.01.sch', phase: 'CI-SIS_CANCER-FRCP_2022.01', when: { documentCode: FRCP, templateId: '1.2.250.1.213.1.1.1.8' } },
  { path: 'schematrons/CI-SIS_CANCER-PPS_2022.01.sch', when: { documentCode: PPS, templateId: '1.2.250.1.213.1.1.1.26' } },
  { path: 'schematrons/profils/IHE.sch' },
  { path: 'schematrons/profils/CI-SIS_ModelesDeContenusCDA.sch' },
  { path: 'schematrons/profils/CI-SIS_Modeles_ANS.sch' },
];
/** structurationMinimale (ART-DECOR), measured as an addition: it costs more than all the others together. */
const STRUCMIN_FILE: SchFile = { path: 'schematrons/profils/structurationMinimale/ASIP-STRUCT-MIN-StrucMin.sch' };
const SCHEMATRONS: SchFile[] = [...CORE, ...(STRUCMIN ? [STRUCMIN_FILE] : [])];

interface Doc {
  name: string;
  kind: 'FRCP' | 'PPS';
  xml: Buffer;
  /** The FHIR document Bundle it was built from (build step measured), when built. */
  bundle?: Buffer;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (t0: number) => performance.now() - t0;
const fmt = (x: number, digits = 1) => x.toFixed(digits);

async function time<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, ms(t0)];
}

function kindOf(xml: Buffer): 'FRCP' | 'PPS' {
  const code = readCdaHeader(xml).code;
  if (code === FRCP) return 'FRCP';
  if (code === PPS) return 'PPS';
  throw new Error(`unexpected document code ${code}`);
}

function ansExamples(): Doc[] {
  const dir = path.join(KIT, 'ExemplesCDA');
  return fs
    .readdirSync(dir)
    .filter((f) => /^CANCER-(FRCP|PPS)_.*\.xml$/.test(f))
    .sort()
    .map((f) => {
      const xml = fs.readFileSync(path.join(dir, f));
      return { name: f, kind: kindOf(xml), xml };
    });
}

/** The FRCP/PPS mapping and its fixtures, once the other half of #5 is there; undefined until then. */
async function buildStep(): Promise<{ mapping: MappingDefinition; bundles: { name: string; bytes: Buffer }[] } | undefined> {
  const file = path.join(repoRoot, 'mappings/fhir-document-to-cda.ts');
  const fixtures = ['rcp', 'pps'].flatMap((d) => {
    const dir = path.join(repoRoot, 'fixtures/fhir', d);
    return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(dir, f)) : [];
  });
  if (!fs.existsSync(file) || fixtures.length === 0) return undefined;
  const mapping = ((await import(file)) as { default: MappingDefinition }).default;
  return { mapping, bundles: fixtures.map((f) => ({ name: path.relative(repoRoot, f), bytes: fs.readFileSync(f) })) };
}

function build(mapping: MappingDefinition, bundle: Buffer): { xml?: Buffer; issues: Issue[] } {
  const parsed = fhirJsonParser.parse(bundle, fhirJsonParser.options.parse({ resourceTypes: ['Bundle'] }));
  if (parsed.value === undefined) return { issues: parsed.issues };
  const m = mapping.map(parsed.value, { channelId: 'bench', messageId: 'bench', receivedAt: new Date('2024-05-02T10:00:00Z') });
  const c = m.output?.content;
  return { xml: typeof c === 'string' ? Buffer.from(c) : Buffer.isBuffer(c) ? c : undefined, issues: [...parsed.issues, ...m.issues] };
}

const asMapped = (xml: Buffer): Mapped => ({ content: xml, contentType: 'application/xml' });

interface Row {
  set: string;
  kind: string;
  docs: number;
  kb: number;
  buildMs?: number;
  xsdMs: number;
  /** Per schematron validator configuration (same order as given). */
  schMs: number[];
  /** Error issue codes with counts, XSD + each configuration (last round, one pass). */
  issues: string[];
}

async function measureSet(set: string, docs: Doc[], xsd: ValidateFn, schs: ValidateFn[], mapping?: MappingDefinition): Promise<Row[]> {
  const rows: Row[] = [];
  for (const kind of ['FRCP', 'PPS'] as const) {
    const mine = docs.filter((d) => d.kind === kind);
    if (mine.length === 0) continue;
    const perRound = { build: [] as number[], xsd: [] as number[], sch: schs.map(() => [] as number[]) };
    const issueCounts = schs.map(() => new Map<string, number>());
    for (let round = -1; round < ROUNDS; round++) {
      // round -1 is the warm-up (JIT, value sets, key indexes), not counted
      let b = 0;
      let x = 0;
      const sums = schs.map(() => 0);
      for (let k = 0; k < REPEAT; k++) {
        for (const d of mine) {
          if (mapping && d.bundle) b += (await time(() => build(mapping, d.bundle!)))[1];
          const [xi, xt] = await time(() => xsd(asMapped(d.xml)));
          x += xt;
          for (const [j, sch] of schs.entries()) {
            const [si, st] = await time(() => sch(asMapped(d.xml)));
            sums[j]! += st;
            if (round !== ROUNDS - 1 || k !== 0) continue;
            const counts = issueCounts[j]!;
            for (const i of [...xi, ...si]) if (i.severity === 'error') counts.set(i.code, (counts.get(i.code) ?? 0) + 1);
          }
        }
      }
      if (round < 0) continue;
      const n = REPEAT * mine.length;
      perRound.build.push(b / n);
      perRound.xsd.push(x / n);
      sums.forEach((t, j) => perRound.sch[j]!.push(t / n));
    }
    rows.push({
      set,
      kind,
      docs: mine.length,
      kb: mine.reduce((a, d) => a + d.xml.length, 0) / mine.length / 1024,
      ...(mapping ? { buildMs: median(perRound.build) } : {}),
      xsdMs: median(perRound.xsd),
      schMs: perRound.sch.map(median),
      issues: issueCounts.map((counts) => [...counts].map(([c, n]) => `${c} ×${n}`).join(', ') || 'none'),
    });
  }
  return rows;
}

/** Per schematron file on a pre-parsed document: where the Schematron time goes. */
async function breakdown(docs: Doc[], compiled: { file: string; when?: SchFile['when']; v: SchematronValidator }[]): Promise<string[]> {
  const lines: string[] = [];
  for (const kind of ['FRCP', 'PPS'] as const) {
    const mine = docs.filter((d) => d.kind === kind);
    const parse: number[] = [];
    const per = new Map<string, number[]>();
    for (let round = -1; round < ROUNDS; round++) {
      let p = 0;
      const sums = new Map<string, number>();
      for (const d of mine) {
        const [parsed, pt] = await time(() => parseSchematronSource(d.xml));
        p += pt;
        if (!parsed.ok) throw new Error(`${d.name}: ${parsed.issues[0]?.message}`);
        for (const c of compiled) {
          if (!matches(c.when, readCdaHeader(d.xml))) continue;
          const [, t] = await time(() => c.v.validate(parsed.source));
          sums.set(c.file, (sums.get(c.file) ?? 0) + t);
        }
      }
      if (round < 0) continue;
      parse.push(p / mine.length);
      for (const [f, t] of sums) per.set(f, [...(per.get(f) ?? []), t / mine.length]);
    }
    lines.push(`| ${kind} | parse (SaxonJS) | ${fmt(median(parse))} |`);
    for (const [f, ts] of per) lines.push(`| ${kind} | ${path.basename(f)} | ${fmt(median(ts))} |`);
  }
  return lines;
}

async function main(): Promise<void> {
  const out: string[] = [];
  const log = (s = '') => {
    out.push(s);
    console.log(s);
  };
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  let affinity = 'not pinned';
  try {
    affinity = fs.readFileSync('/proc/self/status', 'utf8').match(/^Cpus_allowed_list:\s*(.*)$/m)?.[1] ?? affinity;
  } catch {
    /* not Linux */
  }
  log('# CDA benchmark (bench/cda/run.ts)');
  log();
  log(`${new Date().toISOString()} — ${cpu}, ${os.cpus().length} vCPU, CPUs allowed: ${affinity}, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}, Node ${process.version}`);
  log(`Command: \`${['npx tsx bench/cda/run.ts', ...process.argv.slice(2)].join(' ')}\`; ${ROUNDS} rounds × ${REPEAT} passes over each document set after one warm-up round; median of the rounds.`);
  log();

  // ---- compile -----------------------------------------------------------------------------------------------
  log('## Compile (once per channel start)');
  log();
  log('| step | time | from |');
  log('| --- | ---: | --- |');
  const [xsd, xsdMs] = await time(() => xsdValidator.create(xsdValidator.options.parse({ schema: XSD }), { baseDir: KIT }));
  log(`| XSD ${path.basename(XSD)} (libxml2-wasm) | ${fmt(xsdMs / 1000, 2)} s | source |`);
  const compiled: { file: string; when?: SchFile['when']; v: SchematronValidator }[] = [];
  for (const f of SCHEMATRONS) {
    const [v, t] = await time(() => compileSchematron(path.join(KIT, f.path), { cacheDir: CACHE, ...(f.phase ? { phase: f.phase } : {}) }));
    compiled.push({ file: f.path, v, ...(f.when ? { when: f.when } : {}) });
    log(`| Schematron ${path.basename(f.path)} | ${fmt(t / 1000, 2)} s | ${v.sefSource} |`);
  }
  const channelValidator = (files: typeof SCHEMATRONS) => schematronValidator.create(schematronValidator.options.parse({ cacheDir: CACHE, files }), { baseDir: KIT });
  const schs = [await channelValidator(CORE), ...(STRUCMIN ? [await channelValidator(SCHEMATRONS)] : [])];
  log();

  // ---- documents ---------------------------------------------------------------------------------------------
  const sets: { name: string; docs: Doc[]; mapping?: MappingDefinition }[] = [{ name: 'ANS examples', docs: ansExamples() }];
  const built = await buildStep();
  if (built) {
    const docs: Doc[] = [];
    for (const b of built.bundles) {
      const r = build(built.mapping, b.bytes);
      if (!r.xml || hasErrors(r.issues)) {
        log(`- ${b.name}: not built (${r.issues.filter((i) => i.severity === 'error').map((i) => i.code).join(', ')})`);
        continue;
      }
      docs.push({ name: b.name, kind: kindOf(r.xml), xml: r.xml, bundle: b.bytes });
    }
    sets.push({ name: 'built from fixtures/fhir', docs, mapping: built.mapping });
  } else {
    log('Build step: not measured (mappings/fhir-document-to-cda.ts or fixtures/fhir/{rcp,pps}/*.json not present yet).');
    log();
  }

  log('## Per document, one core (ms; documents per second = 1000 / total)');
  log();
  log('Schematron = the channel validator (header read, volet chosen by document code, document parsed once, each file run):');
  log('"core" = volet + IHE.sch + CI-SIS_ModelesDeContenusCDA.sch + CI-SIS_Modeles_ANS.sch (as channels/cda-documents.yaml); "+ StrucMin" adds structurationMinimale (a second validator, same run).');
  log();
  const strucCols = STRUCMIN ? ' Schematron core + StrucMin | total | docs/s |' : '';
  log(`| documents | volet | n | avg kB | build | XSD | Schematron core | total | docs/s |${strucCols} error issues per configuration (one pass) |`);
  log(`| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |${STRUCMIN ? ' ---: | ---: | ---: |' : ''} --- |`);
  for (const s of sets) {
    for (const r of await measureSet(s.name, s.docs, xsd, schs, s.mapping)) {
      const cells = r.schMs.map((sch) => {
        const total = (r.buildMs ?? 0) + r.xsdMs + sch;
        return ` ${fmt(sch)} | ${fmt(total)} | ${fmt(1000 / total, 1)} |`;
      });
      const issues = r.issues.map((x, j) => `${j === 0 ? 'core' : '+ StrucMin'}: ${x}`).join('; ');
      log(`| ${r.set} | ${r.kind} | ${r.docs} | ${fmt(r.kb, 0)} | ${r.buildMs === undefined ? '–' : fmt(r.buildMs)} | ${fmt(r.xsdMs)} |${cells.join('')} ${issues} |`);
    }
  }
  log();

  log('## Schematron breakdown (ms per document, pre-parsed)');
  log();
  log('| documents | volet | step | ms |');
  log('| --- | --- | --- | ---: |');
  for (const set of sets) for (const l of await breakdown(set.docs, compiled)) log(`| ${set.name} ${l}`);
  log();

  // ---- xmllint -----------------------------------------------------------------------------------------------
  log('## XSD side by side: libxml2-wasm in process vs Debian xmllint');
  log();
  log('| documents | ours: ms/doc | xmllint: ms/doc | xmllint: spawn | xmllint: spawn + schema compile | xmllint: one call per document, docs/s | xmllint valid |');
  log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const s of sets) {
    for (const kind of ['FRCP', 'PPS'] as const) {
      const docs = s.docs.filter((d) => d.kind === kind);
      if (docs.length === 0) continue;
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-bench-cda-'));
      const files = docs.map((d, i) => {
        const f = path.join(tmp, `${i}.xml`);
        fs.writeFileSync(f, d.xml);
        return f;
      });
      const ours: number[] = [];
      for (let round = -1; round < ROUNDS; round++) {
        let t = 0;
        for (let k = 0; k < XMLLINT_N; k++) t += (await time(() => xsd(asMapped(docs[k % docs.length]!.xml))))[1];
        if (round >= 0) ours.push(t / XMLLINT_N);
      }
      const x = measureXmllint(path.join(KIT, XSD), files, XMLLINT_N, ROUNDS);
      fs.rmSync(tmp, { recursive: true, force: true });
      log(`| ${s.name} ${kind} (${XMLLINT_N} validations) | ${fmt(median(ours), 2)} | ${fmt(x.perDocumentMs, 2)} | ${fmt(x.spawnMs)} ms | ${fmt(x.fixedMs)} ms | ${fmt(1000 / (x.fixedMs + x.perDocumentMs), 0)} | ${x.valid}/${x.n} |`);
    }
  }
  log();
  log(xmllintAvailable() ?? 'xmllint: not installed');
  fs.writeFileSync(path.join(here, 'RESULTS.md'), `${out.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
