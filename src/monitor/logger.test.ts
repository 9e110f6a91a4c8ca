import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createLogger } from './logger.js';

it('redacts patient data that slips into a log line', () => {
  const lines: string[] = [];
  const sink = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
  const log = createLogger('info', sink);
  log.info({ messageId: 'm1', patient: { name: 'DUPONT' }, err: { content: 'PID|||123' }, nir: '255081416802538' }, 'x');
  const line = lines.join('');
  expect(line).toContain('"messageId":"m1"');
  expect(line).not.toContain('DUPONT');
  expect(line).not.toContain('PID|||123');
  expect(line).not.toContain('255081416802538');
});
