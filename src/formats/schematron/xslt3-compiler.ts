/**
 * XSLT 3.0 text → SEF (Saxon's compiled stylesheet format, JSON), with the XX compiler of SaxonJS run through the
 * `xslt3` command line (`-xsl: -export: -nogo`) in a child process.
 *
 * Why a child process: the in-process routes do not fit. `SaxonJS.transform` refuses to run the compiler SEF bundled
 * in saxon-js 2.7 ("Development license for supplied stylesheet has expired", SXJS0006: it carries
 * `expiry: 2025-08-14`); `fn:transform(map{'stylesheet-text': …})` works but recompiles on every call and never
 * exposes the SEF, so nothing can be cached. The CLI is the supported way to export a SEF, and compiling a large
 * schematron (several seconds of CPU) in a child process does not block the event loop.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

const xslt3Cli = createRequire(import.meta.url).resolve('xslt3/xslt3.js');

/** The compiler rejected the stylesheet (its stderr is in the message) or could not be run. */
export class XsltCompileError extends Error {
  constructor(
    readonly xslFile: string,
    message: string,
  ) {
    super(message);
    this.name = 'XsltCompileError';
  }
}

/**
 * Compiles a stylesheet file to a SEF file.
 * @param xslFile the stylesheet; its `xml:base` (or location) is the static base URI recorded in the SEF.
 * @param sefFile where to write the SEF JSON.
 */
export async function compileXsltFile(xslFile: string, sefFile: string): Promise<void> {
  await fs.mkdir(path.dirname(sefFile), { recursive: true });
  const stderr: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [xslt3Cli, `-xsl:${xslFile}`, `-export:${sefFile}`, '-nogo'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) {
    const detail = Buffer.concat(stderr).toString('utf8').trim();
    throw new XsltCompileError(xslFile, `XSLT compilation of ${xslFile} failed (exit ${code}): ${detail}`);
  }
}
