import fs from 'node:fs/promises';
import { constants } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { defineDestination } from '../engine/define.js';

const options = z.object({
  path: z.string().describe('output folder, relative to the channel file'),
  extension: z.string().regex(/^[a-z0-9]{1,8}$/).optional().describe('file extension; default from the content type'),
});

const DURABLE_WRITE = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_DSYNC;

const EXT: Record<string, string> = { 'application/fhir+json': 'json', 'application/json': 'json', 'application/xml': 'xml', 'text/xml': 'xml', 'application/hl7-v2': 'hl7', 'text/csv': 'csv' };

/** Writes each message to `<path>/<message id>.<ext>`, atomically (temp file + rename): a re-send overwrites, never duplicates. */
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
    return {
      async send(encoded, meta) {
        const ext = o.extension ?? EXT[encoded.contentType.split(';')[0]!] ?? 'bin';
        const target = path.join(dir, `${meta.messageId}.${ext}`);
        const tmp = `${target}.${process.pid}.tmp`;
        // O_DSYNC: the write returns once the data is on disk (one system call fewer than write + fsync)
        await fs.writeFile(tmp, encoded.content, { flag: DURABLE_WRITE });
        await fs.rename(tmp, target);
        return { detail: path.basename(target) };
      },
      async close() {},
    };
  },
});
