import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IssuesError } from '../../engine/issues.js';
import { clearSefMemoryCache } from './sef-cache.js';
import { compileSchematron, type SchematronValidator } from './schematron-validator.js';
import type { SchematronIssue } from './schematron-results.js';
import { parseSchematronSource } from './schematron-source.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-sch-unit-'));
afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

const compile = (file: string, phase?: string): Promise<SchematronValidator> =>
  compileSchematron(path.join(fixtures, file), { cacheDir, ...(phase !== undefined ? { phase } : {}) });

const order = (lines: string, attrs = 'date="2020-01-31"'): string =>
  `<?xml version="1.0"?>\n<order xmlns="urn:test:order" ${attrs}>\n<id>1</id>\n${lines}\n</order>`;

/** `assertId@path` of each issue, sorted, for compact comparisons. */
const where = (issues: SchematronIssue[]): string[] => issues.map((i) => `${i.assertId ?? i.code}@${i.path}`).sort();

describe('sch:include', () => {
  let v: SchematronValidator;
  beforeAll(async () => {
    v = await compile('include/main.sch');
  });

  it('includes whole files (relative to the including file) and single elements by #id', async () => {
    const issues = await v.validate(order('<line qty="0"/>\n<line qty="2"/>'));
    expect(issues).toEqual([
      {
        severity: 'error',
        code: 'SCH_ASSERT',
        path: '/order/line[1]',
        message: 'line quantity must be positive, found 0',
        assertId: 'qty-positive',
        patternId: 'lines',
      },
    ]);
    expect(where(await v.validate('<order xmlns="urn:test:order"><line qty="1"/></order>'))).toEqual(['has-id@/order']);
    expect(v.activePatterns).toEqual(['lines', 'header']);
  });
});

describe('abstract patterns', () => {
  it('instantiates is-a patterns, replacing $param in contexts, tests and value-of (not longer names)', async () => {
    const v = await compile('abstract.sch');
    const issues = await v.validate(order('<line/>\n<line qty="1"/>', ''));
    expect(issues.map((i) => [i.patternId, i.assertId, i.path, i.message])).toEqual([
      ['line-qty', 'attribute-present', '/order/line[1]', 'line must carry @qty (global let, not a parameter)'],
      ['order-date', 'attribute-present', '/order', 'order must carry @date (global let, not a parameter)'],
    ]);
  });
});

describe('sch:let', () => {
  it('evaluates schema, pattern and rule lets; pattern lets are visible from other patterns', async () => {
    const v = await compile('lets.sch');
    const issues = await v.validate(order('<line qty="12" unit="kg"/>\n<line qty="3" unit="lb"/>'));
    expect(issues.map((i) => [i.assertId, i.path, i.message, i.severity])).toEqual([
      ['qty-max', '/order/line[1]', 'quantity 12 (twice: 24) exceeds 10', 'error'],
      ['unit-allowed', '/order/line[2]', 'unit lb is not one of kg g', 'error'],
      ['units-visible', '/order', 'pattern let seen from another pattern', 'info'],
    ]);
  });
});

describe('phases', () => {
  const doc = order('<line qty="5"/>');

  it('uses defaultPhase when no phase is given', async () => {
    const v = await compile('phases.sch');
    expect(v.phase).toBe('structure');
    expect(await v.validate(doc)).toEqual([]);
    expect(where(await v.validate(order('')))).toEqual(['has-lines@/order']);
  });

  it('runs only the active patterns of the selected phase, with its lets', async () => {
    const strict = await compile('phases.sch', 'strict');
    expect(strict.activePatterns).toEqual(['structure', 'content']);
    expect((await strict.validate(doc)).map((i) => i.message)).toEqual(['quantity above 1']);
    const lenient = await compile('phases.sch', 'lenient');
    expect(lenient.activePatterns).toEqual(['content']);
    expect(await lenient.validate(doc)).toEqual([]);
    expect(lenient.warnings).toEqual(["phase lenient activates 'no-such-pattern', which no pattern carries (ignored)"]);
  });

  it('refuses an unknown phase, and #ALL when a variable only exists in phases', async () => {
    await expect(compile('phases.sch', 'nope')).rejects.toThrow(/no phase 'nope' \(phases: structure, strict, lenient\)/);
    const all = compile('phases.sch', '#ALL');
    await expect(all).rejects.toBeInstanceOf(IssuesError);
    await expect(all).rejects.toThrow(/SCH_SCHEMA.*limit/s);
  });
});

describe('rule semantics', () => {
  let v: SchematronValidator;
  beforeAll(async () => {
    v = await compile('semantics.sch');
  });
  const doc = order('<line qty="0" unit="KG" product="p1"/>\n<line qty="3" unit="kg"/>\n<line qty="4" product="p2"/>');

  it('fires only the first matching rule of a pattern, but every pattern sees every node', async () => {
    const issues = await v.validate(doc);
    const byPattern = (id: string): string[] => where(issues.filter((i) => i.patternId === id));
    expect(byPattern('first-wins')).toEqual(['other-line@/order/line[2]', 'other-line@/order/line[3]', 'zero-line@/order/line[1]']);
    expect(byPattern('every-line')).toEqual(['even-qty@/order/line[2]', 'has-product@/order/line[2]']);
  });

  it('maps assert to error, report to info, and role/flag to severities; reports diagnostics', async () => {
    const issues = await v.validate(doc);
    const find = (id: string): SchematronIssue | undefined => issues.find((i) => i.assertId === id);
    expect(find('zero-line')).toMatchObject({ code: 'SCH_REPORT', severity: 'info', message: 'line with zero quantity' });
    expect(find('other-line')?.message).toBe('line number 2');
    expect(find('has-product')).toMatchObject({
      code: 'SCH_ASSERT',
      severity: 'warning',
      role: 'warning',
      message: 'line without product (line number 2 has 2 attributes)',
      diagnostics: ['line number 2 has 2 attributes'],
    });
    expect(find('even-qty')).toMatchObject({ severity: 'info', message: 'odd quantity 3' });
    expect(find('unit-lower')).toMatchObject({ severity: 'warning', flag: 'warning', path: '/order/line[1]/@unit', message: 'unit KG must be lower case' });
  });

  it('turns a dynamic error of one rule into SCH_ERROR and still runs the others', async () => {
    const issues = await v.validate(order('<line qty="2" unit="g" product="p"/>', 'date="31/01/2020"'));
    expect(issues.map((i) => i.assertId ?? i.code)).toEqual(['other-line', 'SCH_ERROR']);
    expect(issues[1]).toMatchObject({ severity: 'error', code: 'SCH_ERROR', path: '/order', patternId: 'errors' });
    expect(issues[1]?.message).toBe(
      'rule "o:order" of pattern errors could not be evaluated: err:FORG0001: Supplied value "31/01/2020" is not a valid xs:date',
    );
  });

  it('lists fired rules on request', async () => {
    const report = await v.run(doc, { traceFiredRules: true });
    expect(report.firedRules.filter((r) => r.patternId === 'first-wins').map((r) => `${r.context}@${r.location}`).sort()).toEqual([
      "o:line@/order/line[2]",
      "o:line@/order/line[3]",
      "o:line[@qty = '0']@/order/line[1]",
    ]);
    expect((await v.run(doc)).firedRules).toEqual([]);
  });

  it('refuses DOCTYPEs and reports unparsable documents as issues', async () => {
    const xxe = '<!DOCTYPE order [<!ENTITY x SYSTEM "file:///etc/passwd">]><order xmlns="urn:test:order">&x;</order>';
    expect((await v.validate(xxe)).map((i) => i.code)).toEqual(['XML_EXTERNAL_ENTITY']);
    const broken = await v.validate('<order xmlns="urn:test:order"><line></order>');
    expect(broken).toHaveLength(1);
    expect(broken[0]).toMatchObject({ severity: 'error', code: 'XML_PARSE' });
  });

  it('validates a document parsed once with several schemas', async () => {
    const parsed = await parseSchematronSource(doc);
    if (!parsed.ok) throw new Error('fixture must parse');
    const lets = await compile('lets.sch');
    expect((await v.validate(parsed.source)).length).toBe((await v.validate(doc)).length);
    expect(where(await lets.validate(parsed.source))).toEqual(['unit-allowed@/order/line[1]', 'unit-allowed@/order/line[3]', 'units-visible@/order']);
    const refused = await parseSchematronSource('<!DOCTYPE x SYSTEM "x.dtd"><x/>');
    expect(refused.ok ? [] : refused.issues.map((i) => i.code)).toEqual(['XML_EXTERNAL_ENTITY']);
  });

  it('decodes buffers from their encoding declaration', async () => {
    const latin1 = Buffer.from(order('<line qty="1" unit="µg" product="é"/>').replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>'), 'latin1');
    expect((await v.validate(latin1)).map((i) => i.message)).toEqual(['line number 1', 'odd quantity 1']);
  });
});

describe('document() and the compiled-stylesheet cache', () => {
  it('resolves document() relative to the .sch file, not to the working or cache directory', async () => {
    const v = await compile('value-set/schematrons/units.sch');
    expect(await v.validate(order('<line unit="kg"/>'))).toEqual([]);
    expect((await v.validate(order('<line unit="lb"/>'))).map((i) => i.message)).toEqual(['unit lb is not in ../jeux/units.xml']);
  });

  it('reads computed local document URIs but refuses network URIs taken from the document', async () => {
    const v = await compile('value-set/schematrons/units.sch');
    const local = order('<link href="../jeux/units.xml" set="units"/>');
    expect(await v.validate(local)).toEqual([]);
    expect(await v.validate(local)).toEqual([]); // second run: the computed document comes from the pool
    const remote = await v.validate(order('<link href="http://127.0.0.1:9/units.xml" set="units"/>'));
    expect(remote).toEqual([expect.objectContaining({ code: 'SCH_ERROR', patternId: 'links', path: '/order/link[1]' })]);
    expect(remote[0]?.message).toContain('only local files can be read, not http://127.0.0.1:9/units.xml');
  });

  it('reuses the compiled stylesheet from memory, then from disk, and recompiles when a .sch changes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-sch-copy-'));
    try {
      fs.cpSync(path.join(fixtures, 'include'), dir, { recursive: true });
      const main = path.join(dir, 'main.sch');
      const first = await compileSchematron(main, { cacheDir });
      expect(first.sefSource).toBe('compiled');
      expect(fs.readdirSync(cacheDir).filter((f) => f.endsWith('.sef.json')).length).toBeGreaterThan(0);
      expect((await compileSchematron(main, { cacheDir })).sefSource).toBe('memory');
      clearSefMemoryCache();
      expect((await compileSchematron(main, { cacheDir })).sefSource).toBe('disk');
      const included = path.join(dir, 'common/qty-assert.sch');
      fs.writeFileSync(included, fs.readFileSync(included, 'utf8').replace('gt 0', 'gt 1'));
      const changed = await compileSchematron(main, { cacheDir });
      expect(changed.sefSource).toBe('compiled');
      expect(where(await changed.validate(order('<line qty="1"/>')))).toEqual(['qty-positive@/order/line[1]']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports unreadable schemas as SCH_SCHEMA issues naming the file', async () => {
    const missing = compileSchematron(path.join(fixtures, 'absent.sch'));
    await expect(missing).rejects.toBeInstanceOf(IssuesError);
    await expect(missing).rejects.toThrow(/SCH_SCHEMA.*absent\.sch: cannot read/);
  });
});
