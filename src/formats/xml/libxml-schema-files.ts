/**
 * File access for libxml2-wasm, restricted to schema directories.
 *
 * libxml2 runs inside WebAssembly with no file system: to follow `xs:include` / `xs:import` it calls the input
 * providers registered in the process. The stock Node provider of libxml2-wasm serves any existing file; this one
 * serves only regular files below directories explicitly allowed by {@link allowSchemaDirectory} (the directory of
 * each compiled schema), and never the network. Documents under validation are parsed with `XML_PARSE_NO_XXE` and
 * `XML_PARSE_NONET`, so they never reach it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { xmlRegisterInputProvider, type XmlInputProvider } from 'libxml2-wasm';

const allowedDirs = new Set<string>();
let registered = false;

/** Maps a libxml2 file name (absolute path or `file:` URL) to an absolute path, or undefined for anything else. */
export function toLocalPath(filename: string): string | undefined {
  if (filename.startsWith('file:')) {
    try {
      return fileURLToPath(filename);
    } catch {
      return undefined;
    }
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(filename)) return undefined; // http:, ftp:, …
  return path.isAbsolute(filename) ? path.normalize(filename) : undefined;
}

/** True when `file` is inside one of the allowed directories (after normalisation, so `..` cannot escape). */
export function isAllowedSchemaFile(file: string): boolean {
  const normalized = path.resolve(file);
  for (const dir of allowedDirs) {
    if (normalized.startsWith(dir + path.sep)) return true;
  }
  return false;
}

const provider: XmlInputProvider = {
  match(filename) {
    const local = toLocalPath(filename);
    if (local === undefined || !isAllowedSchemaFile(local)) return false;
    try {
      return fs.statSync(local).isFile();
    } catch {
      return false;
    }
  },
  open(filename) {
    const local = toLocalPath(filename);
    if (local === undefined || !isAllowedSchemaFile(local)) return undefined;
    try {
      return fs.openSync(local, 'r');
    } catch {
      return undefined;
    }
  },
  read(fd, buf) {
    try {
      return fs.readSync(fd, buf, 0, buf.byteLength, null);
    } catch {
      return -1;
    }
  },
  close(fd) {
    try {
      fs.closeSync(fd);
    } catch {
      // already closed: nothing to release
    }
    return true;
  },
};

/**
 * Lets libxml2 read files below `dir` (recursively). Registers the provider on first use; idempotent.
 * @param dir absolute or relative directory; resolved against the current working directory.
 */
export function allowSchemaDirectory(dir: string): void {
  allowedDirs.add(path.resolve(dir));
  if (!registered) {
    if (!xmlRegisterInputProvider(provider)) throw new Error('libxml2-wasm: could not register the schema file provider');
    registered = true;
  }
}
