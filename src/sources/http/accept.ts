import crypto from 'node:crypto';
import type { RawMessage, SourceContext, StoredMessageStatus } from '../../engine/define.js';
import { error, hasErrors, type Issue } from '../../engine/issues.js';
import { checkEnvelope, type Expect } from './fhir-envelope.js';
import { operationOutcome } from './operation-outcome.js';

/** What to answer: the HTTP status, a JSON body, and the message it concerns (for Location and logs). */
export interface Answer {
  status: number;
  body: unknown;
  messageId?: string;
  duplicate?: boolean;
}

export interface AcceptOptions {
  expect: Expect;
  validateBeforeAccept: boolean;
}

export interface AcceptRequest {
  raw: RawMessage;
  /** The `Idempotency-Key` header as received, if any. */
  idempotencyKey?: string;
}

const sha256 = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');

/**
 * `Idempotency-Key`: an opaque string of 1–255 visible ASCII characters, quoted (an RFC 8941 string, as in the IETF
 * draft) or not (as most senders write it).
 */
export function readIdempotencyKey(header: string | undefined): { key?: string; issue?: Issue } {
  if (header === undefined) return {};
  const key = /^"(.*)"$/.exec(header.trim())?.[1] ?? header.trim();
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    return { issue: error('HTTP_IDEMPOTENCY_KEY', 'Idempotency-Key must be 1 to 255 visible ASCII characters', 'Idempotency-Key') };
  }
  return { key };
}

/**
 * Decides the fate of one request body. Every problem found (the envelope, then — when the body is readable and
 * `validateBeforeAccept` is on — the channel's own parse → map → validate dry run) is an issue; with any error the
 * body is stored as a rejected message and answered 400 with all of them. Otherwise it is stored and enqueued, and
 * only then answered 202. The sender's key (`Idempotency-Key`, else `Bundle.identifier`) is the duplicate key: a
 * second request with the same key and the same bytes gets the first message's id (200); other bytes under the same
 * key are a conflict (422 for an Idempotency-Key, 409 for a document identifier), stored as rejected for an operator.
 */
export async function acceptBody(ctx: SourceContext, o: AcceptOptions, req: AcceptRequest): Promise<Answer> {
  const { raw } = req;
  const idem = readIdempotencyKey(req.idempotencyKey);
  const envelope = checkEnvelope(raw.content, o.expect);
  const issues: Issue[] = [...(idem.issue ? [idem.issue] : []), ...envelope.issues];
  if (o.validateBeforeAccept && envelope.readable) {
    try {
      issues.push(...(await ctx.check(raw)));
    } catch (e) {
      // a bug in a mapping or validator: the worker will record it on the stored message (status error, replayable)
      ctx.logger.error({ err: (e as Error).message }, 'pipeline dry run failed; accepting, the worker will record the error');
    }
  }
  const key = idem.key ?? envelope.documentKey;
  const hash = sha256(raw.content);
  const stored: RawMessage = { ...raw, ...(key !== undefined ? { sourceMessageId: key } : {}) };

  if (hasErrors(issues)) {
    // keyed by content: a rejected body never takes the sender's key, so that the corrected document can use it
    const r = await ctx.reject({ ...stored, dedupKey: `rejected:sha256:${hash}` }, issues);
    return { status: 400, body: operationOutcome(issues, r.messageId), messageId: r.messageId, duplicate: r.duplicate };
  }

  const r = await ctx.receive(stored);
  if (!r.duplicate) return { status: 202, body: { messageId: r.messageId, status: 'received', ...(issues.length ? { issues } : {}) }, messageId: r.messageId };

  const first = await ctx.messageStatus?.(r.messageId);
  if (first && first.contentHash !== hash && key !== undefined) return conflict(ctx, stored, hash, first, idem.key !== undefined);
  return { status: 200, body: { messageId: r.messageId, status: first?.status ?? 'received', duplicate: true }, messageId: r.messageId, duplicate: true };
}

async function conflict(ctx: SourceContext, raw: RawMessage, hash: string, first: StoredMessageStatus, byHeader: boolean): Promise<Answer> {
  const issue = byHeader
    ? error('HTTP_IDEMPOTENCY_CONFLICT', `this Idempotency-Key was already used for different content (message ${first.messageId})`, 'Idempotency-Key')
    : error('FHIR_DOCUMENT_CONFLICT', `a different document with this Bundle.identifier was already received (message ${first.messageId}); a new version of a document needs a new identifier`, 'Bundle.identifier');
  const r = await ctx.reject({ ...raw, dedupKey: `rejected:sha256:${hash}` }, [issue]);
  return { status: byHeader ? 422 : 409, body: operationOutcome([issue], r.messageId), messageId: r.messageId };
}
