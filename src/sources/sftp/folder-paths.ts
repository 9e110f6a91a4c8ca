import path from 'node:path';
import type { DirectoryOptions } from './options.js';

/** The four folders of one polled directory, as paths on the server. */
export interface FolderPaths {
  /** As configured: shown in logs and in `sftp://` source references (a folder name, not patient data). */
  inbox: string;
  processing: string;
  archive: string;
  error: string;
}

const inside = (inbox: string, p: string) => (p.startsWith('/') ? path.posix.normalize(p) : path.posix.join(inbox, p));

export function folderPaths(d: DirectoryOptions): FolderPaths {
  const inbox = path.posix.normalize(d.path);
  return { inbox, processing: inside(inbox, d.processingDir), archive: inside(inbox, d.archiveDir), error: inside(inbox, d.errorDir) };
}

/** `archive/YYYY/MM` for a time (UTC), like the folder source. */
export const archiveMonth = (archive: string, at: Date) =>
  path.posix.join(archive, String(at.getUTCFullYear()), String(at.getUTCMonth() + 1).padStart(2, '0'));

/** `sftp://host[:port]/<folder>/<name>`: where a message came from (stored, searchable). */
export function sourceRefOf(host: string, port: number, folder: string, name: string): string {
  const endpoint = port === 22 ? host : `${host}:${port}`;
  return `sftp://${endpoint}/${path.posix.join(folder, name).replace(/^\/+/, '')}`;
}

/** A name that can be written in the error folder for a file whose own name is not accepted. */
export function sanitizedName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const s = name.replace(/[\u0000-\u001f\u007f/\\\uFFFD]/g, '_').replace(/^\./, '_').slice(0, 200);
  return s === '' || s === '..' ? 'unnamed' : s;
}
