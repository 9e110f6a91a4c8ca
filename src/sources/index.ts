import { folderSource } from './folder.js';
import { httpSource } from './http.js';
import { mllpSource } from './mllp.js';
import { sftpSource } from './sftp.js';

/** Every source type a channel can name. A new connector is one file in this folder plus one line here. */
export const sources = [folderSource, mllpSource, httpSource, sftpSource];
