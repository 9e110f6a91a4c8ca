import crypto from 'node:crypto';
import path from 'node:path';
import type { RawMessage, SourceContext } from '../../engine/define.js';
import { error, formatIssue, type Issue } from '../../engine/issues.js';
import { buildSidecarEnvelope, contentTypeOf, SIDECAR_ENVELOPE_TYPE, sidecarText } from './envelope.js';
import { archiveMonth, sanitizedName, sourceRefOf, type FolderPaths } from './folder-paths.js';
import type { SftpOptions } from './options.js';
import type { Located, Plan } from './plan.js';
import { FileChangedError, FileTooLargeError, RemoteFileError, type RemoteEntry, type RemoteFs } from './remote-fs.js';

const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const fileId = (e: RemoteEntry) => `${e.name}:${e.size}:${e.mtime}`;

/** Why a claimed file could not be read this time. */
type ReadFailure = { gone: true } | { issue: Issue; final: boolean };

/**
 * Carries out one poll's plan for one folder on one session. Every path to the store goes through
 * `ctx.receive`/`ctx.reject` BEFORE the file leaves `processing/`: an interruption anywhere leaves the file claimed
 * and it is taken again at the next poll. Connection errors are not caught here: they end the poll.
 */
export class FolderTaker {
  constructor(
    private readonly fs: RemoteFs,
    private readonly folder: FolderPaths,
    private readonly o: SftpOptions,
    private readonly ctx: SourceContext,
    /** Failed reads per file (name, size, mtime), kept across polls by the folder poller. */
    private readonly attempts: Map<string, number>,
    /** Unsafe names already recorded that the server would not let us move (kept across polls). */
    private readonly stuck: Set<string>,
    private readonly createdDirs: Set<string>,
  ) {}

  async run(p: Plan): Promise<void> {
    switch (p.kind) {
      case 'single':
        return this.single(p.file, p.companions);
      case 'pair':
        return this.pair(p.document, p.sidecar, p.companions);
      case 'alone':
        return this.alone(p.file, p.role, p.companions);
      case 'unsafe':
        return this.unsafe(p.file.entry);
      case 'leftover':
        return this.finishAfterSuccess([p.file.entry.name]);
    }
  }

  private inProcessing = (name: string) => path.posix.join(this.folder.processing, name);
  private ref = (name: string) => sourceRefOf(this.o.server.host, this.o.server.port, this.folder.inbox, name);

  /** Atomic claim by rename into `processing/`; false when another poller was faster (or a namesake waits there). */
  private async claim(f: Located): Promise<boolean> {
    if (f.at === 'processing') return true;
    const r = await this.fs.rename(path.posix.join(this.folder.inbox, f.entry.name), this.inProcessing(f.entry.name));
    if (r === 'target-exists') this.ctx.logger.warn({ dir: this.folder.inbox }, 'a file of the same name is still in processing/; taken after it');
    return r === 'moved';
  }

  /** Companion files follow their file; losing one to a race is harmless (it carries no data). */
  private async claimCompanions(list: Located[]): Promise<string[]> {
    const names: string[] = [];
    for (const c of list) if (await this.claim(c)) names.push(c.entry.name);
    return names;
  }

  private async read(e: RemoteEntry): Promise<Buffer | ReadFailure> {
    try {
      const bytes = await this.fs.download(this.inProcessing(e.name), { ...this.o.download, maxBytes: this.o.maxBytes });
      this.attempts.delete(fileId(e));
      return bytes;
    } catch (err) {
      if (err instanceof FileTooLargeError) return { issue: error('FILE_TOO_LARGE', err.message), final: true };
      if (err instanceof RemoteFileError && err.missing) return { gone: true };
      if (!(err instanceof RemoteFileError) && !(err instanceof FileChangedError)) throw err; // connection: ends the poll
      const n = (this.attempts.get(fileId(e)) ?? 0) + 1;
      this.attempts.set(fileId(e), n);
      const code = err instanceof FileChangedError ? 'FILE_CHANGING' : 'FILE_UNREADABLE';
      this.ctx.logger.warn({ dir: this.folder.inbox, attempt: n, of: this.o.maxAttempts, err: err.message }, 'sftp read failed');
      return { issue: error(code, `${err.message} (attempt ${n} of ${this.o.maxAttempts})`), final: n >= this.o.maxAttempts };
    }
  }

  private dedupKey(content: Buffer, sourceMessageId: string): string {
    return this.o.dedup === 'content' ? `sha256:${sha256(content)}` : `sftp:${this.folder.inbox}/${sourceMessageId}`;
  }

  private async single(file: Located, companions: Located[]): Promise<void> {
    const e = file.entry;
    if (!(await this.claim(file))) return;
    const extra = await this.claimCompanions(companions);
    const bytes = await this.read(e);
    if ('gone' in bytes) return;
    if (!Buffer.isBuffer(bytes)) {
      if (bytes.final) await this.toError([e.name], extra, [bytes.issue], { content: Buffer.alloc(0), sourceRef: this.ref(e.name) }, e);
      return;
    }
    const r = await this.ctx.receive({
      content: bytes,
      contentType: this.o.contentType,
      sourceRef: this.ref(e.name),
      sourceMessageId: fileId(e),
      dedupKey: this.dedupKey(bytes, fileId(e)),
    });
    this.ctx.logger.info({ dir: this.folder.inbox, messageId: r.messageId, duplicate: r.duplicate, bytes: bytes.length }, r.duplicate ? 'duplicate file, already stored' : 'file received');
    await this.finishAfterSuccess([e.name, ...extra]);
  }

  private async pair(document: Located, sidecar: Located, companions: Located[]): Promise<void> {
    // the document is the claim; its sidecar follows (it may already be in processing/ after an interruption)
    if (!(await this.claim(document))) return;
    if (!(await this.claim(sidecar))) return; // taken or moved meanwhile: the document waits in processing/
    const extra = await this.claimCompanions(companions);
    const doc = await this.read(document.entry);
    const side = await this.read(sidecar.entry);
    if ('gone' in doc || 'gone' in side) return;
    const names = [document.entry.name, sidecar.entry.name];
    const sourceMessageId = `${fileId(document.entry)}+${fileId(sidecar.entry)}`;
    const failed = [doc, side].filter((x): x is { issue: Issue; final: boolean } => !Buffer.isBuffer(x));
    if (failed.length) {
      if (failed.some((f) => f.final)) await this.toError(names, extra, failed.map((f) => f.issue), { content: Buffer.alloc(0), sourceRef: this.ref(names[0]!), sourceMessageId }, document.entry);
      return;
    }
    const docBytes = doc as Buffer;
    const text = sidecarText(side as Buffer);
    if (text === undefined) {
      const issue = error('SIDECAR_ENCODING', `the sidecar ${JSON.stringify(sidecar.entry.name)} is not valid UTF-8`);
      await this.toError(names, extra, [issue], { content: side as Buffer, contentType: contentTypeOf(sidecar.entry.name), sourceRef: this.ref(names[0]!), sourceMessageId }, document.entry);
      return;
    }
    const content = buildSidecarEnvelope({ name: document.entry.name, bytes: docBytes }, { name: sidecar.entry.name, text });
    const r = await this.ctx.receive({ content, contentType: SIDECAR_ENVELOPE_TYPE, sourceRef: this.ref(names[0]!), sourceMessageId, dedupKey: this.dedupKey(content, sourceMessageId) });
    this.ctx.logger.info({ dir: this.folder.inbox, messageId: r.messageId, duplicate: r.duplicate, bytes: content.length }, r.duplicate ? 'duplicate document and sidecar, already stored' : 'document and sidecar received');
    // document first: a sidecar left alone in processing/ by an interruption is then known to be done (plan: leftover)
    await this.finishAfterSuccess([...names, ...extra]);
  }

  private async alone(file: Located, role: 'document' | 'sidecar', companions: Located[]): Promise<void> {
    const e = file.entry;
    if (!(await this.claim(file))) return;
    const extra = await this.claimCompanions(companions);
    const exts = (this.o.sidecar?.extensions ?? []).join(', ');
    const waited = `${Math.round((this.o.sidecar?.waitMs ?? 0) / 1000)} s`;
    const issue =
      role === 'document'
        ? error('SIDECAR_MISSING', `no sidecar (same base name, ${exts}) arrived within ${waited} after the document was ready`)
        : error('SIDECAR_WITHOUT_DOCUMENT', `no document matching ${JSON.stringify(this.o.sidecar?.documentPattern)} with the same base name arrived within ${waited}`);
    const bytes = await this.read(e);
    if ('gone' in bytes) return;
    const content = Buffer.isBuffer(bytes) ? bytes : Buffer.alloc(0);
    const issues = Buffer.isBuffer(bytes) ? [issue] : [issue, bytes.issue];
    await this.toError([e.name], extra, issues, { content, contentType: contentTypeOf(e.name), sourceRef: this.ref(e.name) }, e);
  }

  /** A name we do not accept is never claimed under that name: stored as rejected, then moved to error/ renamed. */
  private async unsafe(e: RemoteEntry): Promise<void> {
    if (this.stuck.has(fileId(e))) return;
    const safe = sanitizedName(e.name);
    const issue = error('FILE_NAME_UNSAFE', `file name ${JSON.stringify(e.name)} is not accepted (control characters, path separators, invalid UTF-8 or over 255 characters); moved to the error folder as ${JSON.stringify(safe)}`);
    const r = await this.ctx.reject({ content: Buffer.alloc(0), sourceRef: this.ref(safe), sourceMessageId: `unsafe:${sha256(Buffer.from(e.name))}:${e.size}:${e.mtime}`, dedupKey: `unsafe:${sha256(Buffer.from(e.name))}:${e.size}:${e.mtime}` }, [issue]);
    await this.mkdir(this.folder.error);
    try {
      const target = await this.fs.moveUnique(path.posix.join(this.folder.inbox, e.name), this.folder.error, safe);
      await this.fs.writeFile(`${target}.error.txt`, this.errorText(e.name, [issue], r.messageId));
    } catch (err) {
      if (!(err instanceof RemoteFileError)) throw err;
      // e.g. a name with invalid UTF-8 cannot be addressed through this client: recorded once, left for an operator
      this.stuck.add(fileId(e));
      this.ctx.logger.warn({ dir: this.folder.inbox, messageId: r.messageId, err: err.message }, 'a file with an unaccepted name cannot be moved; remove or rename it on the server');
    }
  }

  /** Stores the input as rejected (the issues first), then moves the files to error/ with `<name>.error.txt`. */
  private async toError(names: string[], companions: string[], issues: Issue[], raw: RawMessage, main: RemoteEntry): Promise<void> {
    const r = await this.ctx.reject({ sourceMessageId: fileId(main), dedupKey: `rejected:${this.folder.inbox}/${fileId(main)}`, ...raw }, issues);
    this.ctx.logger.warn({ dir: this.folder.inbox, messageId: r.messageId, codes: issues.map((i) => i.code) }, 'file moved to the error folder');
    await this.mkdir(this.folder.error);
    // pairs: the sidecar first, so that a document left alone by an interruption is not taken for a finished pair
    for (const name of [...names].reverse()) {
      const target = await this.moveOrSkip(name, this.folder.error);
      if (target) await this.fs.writeFile(`${target}.error.txt`, this.errorText(name, issues, r.messageId));
    }
    for (const c of companions) await this.moveOrSkip(c, this.folder.error);
    this.attempts.delete(fileId(main));
  }

  private async finishAfterSuccess(names: string[]): Promise<void> {
    if (this.o.afterSuccess === 'delete') {
      for (const name of names) {
        await this.fs.unlink(this.inProcessing(name)).catch((e: unknown) => {
          if (!(e instanceof RemoteFileError && e.missing)) throw e;
        });
      }
      return;
    }
    const month = archiveMonth(this.folder.archive, new Date());
    await this.mkdir(month);
    for (const name of names) await this.moveOrSkip(name, month);
  }

  /** Moves out of processing/ without overwriting; undefined when another poller already did. */
  private async moveOrSkip(name: string, dir: string): Promise<string | undefined> {
    try {
      return await this.fs.moveUnique(this.inProcessing(name), dir, name);
    } catch (e) {
      if (e instanceof RemoteFileError && e.missing) return undefined;
      throw e;
    }
  }

  private async mkdir(dir: string): Promise<void> {
    if (this.createdDirs.has(dir)) return;
    await this.fs.mkdirp(dir);
    this.createdDirs.add(dir);
  }

  private errorText(name: string, issues: Issue[], messageId: string): string {
    return [
      'Relais could not take this file.',
      `file: ${JSON.stringify(name)}`,
      `folder: ${this.folder.inbox}`,
      `channel: ${this.ctx.channelId}`,
      `stored as rejected message: ${messageId}`,
      `at: ${new Date().toISOString()}`,
      'problems:',
      ...issues.map((i) => `- ${formatIssue(i)}`),
      '',
    ].join('\n');
  }
}
