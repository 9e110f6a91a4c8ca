import fs from 'node:fs';
import { z } from 'zod';
import { buildChannelSchema } from './channel-schema.js';
import { registry } from './registry.js';

/** The JSON Schema editors use for channel files (`# yaml-language-server: $schema=../schemas/channel.schema.json`). */
export function channelJsonSchema(): string {
  const schema = z.toJSONSchema(buildChannelSchema(registry), { io: 'input', unrepresentable: 'any' });
  return JSON.stringify({ ...schema, title: 'Relais channel', $id: 'https://relais.dev/schemas/channel.schema.json' }, null, 2) + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  fs.mkdirSync('schemas', { recursive: true });
  fs.writeFileSync('schemas/channel.schema.json', channelJsonSchema());
  console.log('wrote schemas/channel.schema.json');
}
