/**
 * Which form a pathology report came in, decided by its content (never by the connector or the file name):
 * a small list of recognisers, tried in order.
 */
import { error, type Issue } from '../../engine/issues.js';
import { sha1OfBytes, PDF_MAGIC } from './base64.js';
import { readCda } from './cda.js';
import { readOru } from './hl7-oru.js';
import { readSidecarEnvelope } from './sidecar.js';
import type { PathologyReport, ReportForm } from './model.js';

export interface ReadOptions {
  maxBytes: number;
}

export interface Recogniser {
  form: ReportForm;
  /** What the recogniser looks for, for the "unknown form" issue. */
  looksFor: string;
  /** `head`: the start of the input as Latin-1 text, BOM and leading blanks removed. */
  matches(head: string): boolean;
  read(raw: Buffer, o: ReadOptions): { value?: PathologyReport; issues: Issue[] };
}

function readCdaFile(raw: Buffer): { value?: PathologyReport; issues: Issue[] } {
  const r = readCda(raw, 'CDA');
  if (!r.content) return { issues: r.issues };
  const { format, ...content } = r.content;
  return {
    value: {
      ...content,
      form: 'cda',
      document: { contentType: 'text/xml', base64: raw.toString('base64'), size: raw.length, sha1: sha1OfBytes(raw), ...(format ? { format } : {}), ...(content.title ? { title: content.title } : {}) },
    },
    issues: r.issues,
  };
}

const CDA_ROOT = /<([A-Za-z_][\w.-]*:)?ClinicalDocument[\s>/]/;

export const recognisers: Recogniser[] = [
  { form: 'hl7v2-oru', looksFor: 'an HL7v2 message (MSH…)', matches: (head) => head.startsWith('MSH'), read: (raw, o) => readOru(raw, { maxBytes: o.maxBytes }) },
  { form: 'cda', looksFor: 'a CDA R2 document (<ClinicalDocument xmlns="urn:hl7-org:v3">)', matches: (head) => head.startsWith('<') && CDA_ROOT.test(head), read: (raw) => readCdaFile(raw) },
  { form: 'pdf-sidecar', looksFor: 'a PDF + sidecar envelope ({"document": …, "sidecar": …})', matches: (head) => head.startsWith('{'), read: (raw) => readSidecarEnvelope(raw) },
];

/** Enough of the start to see a CDA root after the XML declaration, stylesheet PIs and long comments. */
const HEAD_BYTES = 64 * 1024;

export function headOf(raw: Buffer): string {
  let s = raw.subarray(0, HEAD_BYTES).toString('latin1');
  if (s.startsWith('\u00ef\u00bb\u00bf')) s = s.slice(3);
  return s.trimStart();
}

/** Recognises and reads a report; an input no recogniser takes gets one clear error. */
export function readPathologyReport(raw: Buffer, o: ReadOptions): { value?: PathologyReport; issues: Issue[] } {
  if (raw.length > o.maxBytes) return { issues: [error('CRAP_TOO_LARGE', `the input is ${raw.length} bytes, above the limit of ${o.maxBytes}`)] };
  const head = headOf(raw);
  const r = recognisers.find((x) => x.matches(head));
  if (r) return r.read(raw, o);
  // the content itself is never quoted: it may be patient data
  const what =
    head.length === 0
      ? 'the input is empty'
      : head.startsWith(PDF_MAGIC)
        ? 'a PDF alone cannot be filed: it needs its sidecar (patient identity, dates); the sftp source pairs x.pdf with x.json or x.xml'
        : `unrecognised ${/[\x00-\x08\x0e-\x1f]/.test(head.slice(0, 512)) ? 'binary' : 'text'} content`;
  return { issues: [error('CRAP_UNKNOWN_FORM', `${what}; expected ${recognisers.map((x) => x.looksFor).join(', or ')}`)] };
}
