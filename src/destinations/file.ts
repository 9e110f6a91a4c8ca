import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { defineDestination } from '../engine/define.js';
import { FileWriter } from './file-writer.js';

const options = z.object({
  path: z.string().describe('output folder, relative to the channel file'),
  extension: z.string().regex(/^[a-z0-9]{1,8}$/).optional().describe('file extension; default from the content type'),
});

const EXT: Record<string, string> = { 'application/fhir+json': 'json', 'application/json': 'json', 'application/xml': 'xml', 'text/xml': 'xml', 'application/hl7-v2': 'hl7', 'text/csv': 'csv' };

/**
 * Writes each message to `<path>/<message id>.<ext>`, atomically (temp file + rename): a re-send overwrites, never
 * duplicates. A send succeeds once the file's data and its name are on disk (see FileWriter).
 */
export const fileDestination = defineDestination({
  type: 'file',
  description: 'Local folder: one file per message, named by message id, written atomically',
  options,
  encode(mapped) {
    const content = Buffer.isBuffer(mapped.content)
      ? mapped.content
      : Buffer.from(typeof mapped.content === 'string' ? mapped.content : `${JSON.stringify(mapped.content, null, 2)}\n`);
    return { encoded: { content, contentType: mapped.contentType }, issues: [] };
  },
  async createSender(o, ctx) {
    const dir = path.resolve(ctx.baseDir, o.path);
    await fs.mkdir(dir, { recursive: true });
    const writer = new FileWriter();
    return {
      async send(encoded, meta) {
        const ext = o.extension ?? EXT[encoded.contentType.split(';')[0]!] ?? 'bin';
        const target = path.join(dir, `${meta.messageId}.${ext}`);
        await writer.write(target, encoded.content);
        return { detail: path.basename(target) };
      },
      close: () => writer.close(),
    };
  },
});
