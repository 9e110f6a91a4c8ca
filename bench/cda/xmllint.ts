/**
 * Debian `xmllint --schema` as the reference for the XSD step: the process start, the schema compile and the
 * per-document cost are measured apart, by timing one call over 1 document and one call over N documents.
 */
import { spawnSync } from 'node:child_process';

export interface XmllintFigures {
  version: string;
  /** `xmllint --version`: process start and exit, nothing else. */
  spawnMs: number;
  /** One call validating one document, minus one document's cost: spawn + schema compile. */
  fixedMs: number;
  /** (time of one call over N documents − time of one call over 1) / (N − 1). */
  perDocumentMs: number;
  /** How many of the N documents xmllint reported valid. */
  valid: number;
  n: number;
}

function timed(args: string[]): { ms: number; stderr: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('xmllint', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw r.error;
  return { ms, stderr: r.stderr };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** `xmllint: using libxml version 20914 (Debian libxml2-utils 2.9.14+dfsg-1.3)`, or undefined when not installed. */
export function xmllintAvailable(): string | undefined {
  const r = spawnSync('xmllint', ['--version'], { encoding: 'utf8' });
  if (r.error) return undefined;
  const deb = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'libxml2-utils'], { encoding: 'utf8' });
  const pkg = !deb.error && deb.status === 0 && deb.stdout ? ` (Debian libxml2-utils ${deb.stdout.trim()})` : '';
  return `${(r.stderr || r.stdout).split('\n')[0]!.trim()}${pkg}`;
}

/** Median of `rounds` runs of each measurement, for `files` (validated `n` times in total, cycling through them). */
export function measureXmllint(schema: string, files: string[], n: number, rounds: number): XmllintFigures {
  const version = xmllintAvailable();
  if (!version) throw new Error('xmllint is not installed (Debian: apt-get install libxml2-utils)');
  const many = Array.from({ length: n }, (_, i) => files[i % files.length]!);
  const spawn: number[] = [];
  const one: number[] = [];
  const all: number[] = [];
  let valid = 0;
  for (let r = 0; r < rounds; r++) {
    spawn.push(timed(['--version']).ms);
    one.push(timed(['--noout', '--schema', schema, files[0]!]).ms);
    const big = timed(['--noout', '--schema', schema, ...many]);
    all.push(big.ms);
    valid = (big.stderr.match(/ validates$/gm) ?? []).length;
  }
  const perDocumentMs = (median(all) - median(one)) / (n - 1);
  return { version, spawnMs: median(spawn), fixedMs: median(one) - perDocumentMs, perDocumentMs, valid, n };
}
