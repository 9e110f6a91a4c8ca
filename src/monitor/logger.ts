import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs that carry ids, never patient data. Callers log ids only; redaction is the safety net for
 * anything that slips in (payloads, names, identifiers, birth dates, addresses).
 */
export const REDACT_PATHS = [
  'content', '*.content', 'payload', '*.payload', 'raw', '*.raw', 'body', '*.body', 'resource', '*.resource',
  'name', '*.name', 'birthDate', '*.birthDate', 'identifier', '*.identifier', 'address', '*.address', 'telecom', '*.telecom',
  'patient', '*.patient', 'ins', '*.ins', 'nir', '*.nir',
];

export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'relais' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}
