import type { SourceContext } from '../../engine/define.js';
import { globToRegExp } from '../glob.js';
import { folderPaths, type FolderPaths } from './folder-paths.js';
import type { DirectoryOptions, SftpOptions } from './options.js';
import { planFolder, type PlannerState, type Rules } from './plan.js';
import { RemoteFileError, SFTP_STATUS, type RemoteFs } from './remote-fs.js';
import { StabilityTracker, WaitClock } from './stability.js';
import { FolderTaker } from './take.js';

export function rulesOf(d: DirectoryOptions, o: SftpOptions): Rules {
  return {
    patterns: d.patterns.map(globToRegExp),
    ready: o.ready,
    stableMs: o.stableMs,
    companionSuffixes: o.companionSuffixes,
    sidecar: o.sidecar && { document: globToRegExp(o.sidecar.documentPattern), extensions: o.sidecar.extensions, waitMs: o.sidecar.waitMs },
  };
}

/**
 * Polls one remote folder: lists the inbox and `processing/`, plans (stability, companions, sidecars), and takes
 * the files one by one while `keepGoing()` (the source runs and still holds the folder's lock). Its memory (stability
 * clocks, read attempts) lives as long as the source.
 */
export class FolderPoller {
  readonly paths: FolderPaths;
  private readonly rules: Rules;
  private readonly state: PlannerState = { stability: new StabilityTracker(), waits: new WaitClock() };
  private readonly attempts = new Map<string, number>();
  private readonly stuck = new Set<string>();
  private prepared?: RemoteFs;
  private createdDirs = new Set<string>();

  constructor(
    d: DirectoryOptions,
    private readonly o: SftpOptions,
    private readonly ctx: SourceContext,
  ) {
    this.paths = folderPaths(d);
    this.rules = rulesOf(d, o);
  }

  async poll(fs: RemoteFs, keepGoing: () => boolean): Promise<void> {
    try {
      await this.pollOn(fs, keepGoing);
    } catch (e) {
      // a folder-level failure (removed folder, permissions): check the folders again next time
      this.prepared = undefined;
      throw e;
    }
  }

  private async pollOn(fs: RemoteFs, keepGoing: () => boolean): Promise<void> {
    if (this.prepared !== fs) {
      const inbox = await fs.lstat(this.paths.inbox);
      if (inbox?.kind !== 'dir') throw new RemoteFileError(SFTP_STATUS.NO_SUCH_FILE, `folder ${this.paths.inbox} does not exist on the server`);
      await fs.mkdirp(this.paths.processing);
      this.createdDirs = new Set([this.paths.processing]);
      this.prepared = fs;
    }
    const processing = await fs.list(this.paths.processing);
    const inbox = await fs.list(this.paths.inbox);
    const plans = planFolder(inbox, processing, this.rules, this.state, Date.now());
    const taker = new FolderTaker(fs, this.paths, this.o, this.ctx, this.attempts, this.stuck, this.createdDirs);
    for (const p of plans) {
      if (!keepGoing()) return;
      await taker.run(p);
    }
  }
}
