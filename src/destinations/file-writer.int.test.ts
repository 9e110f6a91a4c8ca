import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Worker } from 'node:worker_threads';
import { FileWriter } from './file-writer.js';
import { fileDestination } from './file.js';

const tmpDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'relais-file-writer-'));
const writers: FileWriter[] = [];
const newWriter = () => {
  const w = new FileWriter();
  writers.push(w);
  return w;
};
afterEach(async () => {
  await Promise.all(writers.splice(0).map((w) => w.close()));
});

describe('FileWriter (real files, its own thread)', () => {
  it('writes many files sent at once, each with its exact bytes, and leaves no temporary file', async () => {
    const dir = tmpDir();
    const writer = newWriter();
    const files = Array.from({ length: 300 }, (_, i) => ({ target: path.join(dir, `m${i}.json`), content: Buffer.from(`{"n":${i},"pad":"${'é'.repeat(i)}"}\n`) }));
    await Promise.all(files.map((f) => writer.write(f.target, f.content)));
    expect(fs.readdirSync(dir).sort()).toEqual(files.map((f) => path.basename(f.target)).sort());
    for (const f of files) expect(fs.readFileSync(f.target)).toEqual(f.content);
  });

  it('overwrites a target written again, also within one group, never leaving a partial or second file', async () => {
    const dir = tmpDir();
    const writer = newWriter();
    const target = path.join(dir, 'same.hl7');
    await Promise.all(['first', 'second', 'third'].map((c) => writer.write(target, Buffer.from(c))));
    expect(fs.readdirSync(dir)).toEqual(['same.hl7']);
    expect(fs.readFileSync(target, 'utf8')).toBe('third'); // the last asked for
    await writer.write(target, Buffer.from('fourth'));
    expect(fs.readFileSync(target, 'utf8')).toBe('fourth');
  });

  it('fails only the write that cannot be done, with the system error, while the rest of its group lands', async () => {
    const dir = tmpDir();
    const writer = newWriter();
    fs.mkdirSync(path.join(dir, 'a-folder'));
    const results = await Promise.allSettled([
      writer.write(path.join(dir, 'a.txt'), Buffer.from('a')),
      writer.write(path.join(dir, 'no-such-folder', 'b.txt'), Buffer.from('b')),
      writer.write(path.join(dir, 'c.txt'), Buffer.from('c')),
      writer.write(path.join(dir, 'a-folder'), Buffer.from('d')), // written, then the rename is refused
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'ENOENT' });
    expect((results[3] as PromiseRejectedResult).reason).toMatchObject({ code: 'EISDIR' });
    expect(fs.readdirSync(dir).sort()).toEqual(['a-folder', 'a.txt', 'c.txt']); // no temporary file left
  });

  it('fails the writes its thread held when the thread dies, and starts a new thread for the next write', async () => {
    const dir = tmpDir();
    const writer = newWriter();
    await writer.write(path.join(dir, 'before.txt'), Buffer.from('x'));
    const thread = (writer as unknown as { worker: Worker }).worker;
    const stopping = thread.terminate(); // the thread stops before it can take the next write
    const held = writer.write(path.join(dir, 'held.txt'), Buffer.from('y'));
    await stopping;
    await expect(held).rejects.toThrow(/file writer thread exited/);
    expect(fs.existsSync(path.join(dir, 'held.txt'))).toBe(false);
    await writer.write(path.join(dir, 'after.txt'), Buffer.from('z'));
    expect(fs.readFileSync(path.join(dir, 'after.txt'), 'utf8')).toBe('z');
  });

  it('refuses writes once closed', async () => {
    const writer = newWriter();
    await writer.close();
    await expect(writer.write(path.join(tmpDir(), 'x'), Buffer.from('x'))).rejects.toThrow(/closed/);
  });
});

describe('file destination', () => {
  it('sends each message to <folder>/<message id>.<ext>, its receipt naming the file, and closes its writer', async () => {
    const base = tmpDir();
    const sender = await fileDestination.createSender({ path: 'out' }, { baseDir: base } as never);
    const receipt = await sender.send({ content: Buffer.from('{"resourceType":"Patient"}'), contentType: 'application/fhir+json' }, { messageId: 'm1', destinationId: 'archive' });
    expect(receipt).toEqual({ detail: 'm1.json' });
    expect(fs.readFileSync(path.join(base, 'out', 'm1.json'), 'utf8')).toBe('{"resourceType":"Patient"}');
    await sender.close();
    await expect(sender.send({ content: Buffer.from('x'), contentType: 'text/plain' }, { messageId: 'm2', destinationId: 'archive' })).rejects.toThrow(/closed/);
  });
});
