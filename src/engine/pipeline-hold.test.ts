import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkInput, runPipeline, type CompiledChannel } from './pipeline.js';
import { defineDestination, defineMapping, defineParser, type ValidateFn } from './define.js';
import { error, hold, info, onlyHolds, warning, type Issue } from './issues.js';
import type { ChannelConfig } from './channel-schema.js';

/** A channel whose validators return the given issues; the mapping echoes the parsed text as a FHIR resource. */
function channelWith(validatorIssues: Issue[][]): CompiledChannel {
  const parser = defineParser({ format: 'text', description: 'text', options: z.object({}), parse: (raw) => ({ value: raw.toString('utf8'), issues: [] }) });
  const mapping = defineMapping<string>({
    name: 'echo',
    description: 'echo',
    input: 'text',
    map: (text) => ({ output: { content: { resourceType: 'Basic', id: text }, contentType: 'application/fhir+json' }, issues: [] }),
  });
  const destination = defineDestination({
    type: 'out',
    description: 'out',
    options: z.object({}),
    encode: (m) => ({ encoded: { content: Buffer.from(JSON.stringify(m.content)), contentType: m.contentType }, issues: [] }),
    createSender: () => Promise.reject(new Error('not used')),
  });
  const validators: ValidateFn[] = validatorIssues.map((issues) => () => Promise.resolve(issues));
  const config = { id: 'held-test', parse: { format: 'text' }, route: [{ id: 'out', type: 'out' }], queue: { concurrency: 1 } } as unknown as ChannelConfig;
  return { config, baseDir: '.', parser, mapping, validators, destinations: [{ config: config.route[0]!, def: destination }] } as unknown as CompiledChannel;
}

const ctx = { channelId: 'held-test', messageId: 'm1', receivedAt: new Date('2026-01-01T00:00:00Z') };

describe('hold issues', () => {
  it('onlyHolds: true only when there are errors and every one is a hold', () => {
    expect(onlyHolds([])).toBe(false);
    expect(onlyHolds([warning('W', 'w')])).toBe(false);
    expect(onlyHolds([hold('PATIENT_NOT_FOUND', 'no patient'), warning('W', 'w'), info('I', 'i')])).toBe(true);
    expect(onlyHolds([hold('PATIENT_NOT_FOUND', 'no patient'), error('X', 'bad')])).toBe(false);
  });

  it('a hold stops the message as held: parsed and mapped are kept, nothing is routed', async () => {
    const r = await runPipeline(channelWith([[hold('PATIENT_NOT_FOUND', 'no patient matches')]]), Buffer.from('a'), ctx);
    expect(r.status).toBe('held');
    expect(r.outputs).toEqual([]);
    expect(r.parsed).toBe('a');
    expect(r.mapped?.content).toEqual({ resourceType: 'Basic', id: 'a' });
    expect(r.issues).toEqual([{ severity: 'error', code: 'PATIENT_NOT_FOUND', message: 'no patient matches', path: undefined, hold: true }]);
  });

  it('any ordinary error wins over a hold: the message is rejected', async () => {
    const r = await runPipeline(channelWith([[hold('PATIENT_NOT_FOUND', 'no patient')], [error('FHIR_PROFILE', 'invalid')]]), Buffer.from('a'), ctx);
    expect(r.status).toBe('rejected');
  });

  it('without errors the message is routed as before', async () => {
    const r = await runPipeline(channelWith([[warning('W', 'w')]]), Buffer.from('a'), ctx);
    expect(r.status).toBe('routed');
    expect(r.outputs.map((o) => o.destinationId)).toEqual(['out']);
  });

  it('checkInput gives holds back as warnings, so a source accepts and stores the input', async () => {
    const issues = await checkInput(channelWith([[hold('PATIENT_AMBIGUOUS', '2 patients')]]), Buffer.from('a'), ctx);
    expect(issues).toEqual([expect.objectContaining({ severity: 'warning', code: 'PATIENT_AMBIGUOUS', hold: true })]);
  });
});
