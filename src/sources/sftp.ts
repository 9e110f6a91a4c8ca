import { defineSource } from '../engine/define.js';
import { sftpOptions } from './sftp/options.js';
import { SftpSource } from './sftp/sftp-source.js';

/**
 * Polls folders on an SFTP server (key authentication, pinned host key). Stable files (or files with a companion
 * `.done`, or documents with their sidecar) are claimed by rename into `processing/`, stored, then moved to
 * `archive/YYYY/MM/`; files that cannot be taken go to `error/` with a `.error.txt`. One engine instance polls a
 * folder at a time (Redis lock). See docs/sftp.md.
 */
export const sftpSource = defineSource({
  type: 'sftp',
  description: 'SFTP folder polling: pinned host key, stable-file or companion detection, sidecar pairs, claim by rename, archive or error folder',
  options: sftpOptions,
  async start(o, ctx) {
    const source = new SftpSource(o, ctx);
    source.start();
    return { stop: () => source.stop() };
  },
});
