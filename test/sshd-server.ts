import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../src/infra/free-port.js';

const SSHD = '/usr/sbin/sshd';
const SSHD_INSTALL_HINT = `${SSHD} not found: install OpenSSH server (Debian/Ubuntu: apt-get install openssh-server; scripts/setup.sh does it)`;

export interface TestSshd {
  host: string;
  port: number;
  /** The local user the server runs for (sshd can only log in its own user when it does not run as root). */
  user: string;
  /** The client's private key (OpenSSH format), authorised by the server. */
  privateKey: string;
  privateKeyPath: string;
  /** The server's host key fingerprint as OpenSSH prints it: `SHA256:<base64 without padding>`. */
  hostKeyFingerprint: string;
  /**
   * Local directory the SFTP session starts in: relative SFTP paths resolve against it, and tests write and read the
   * files there directly. Absolute SFTP paths are real paths (no chroot: see `startTestSshd`).
   */
  root: string;
  /** sshd's own log (stderr, LogLevel VERBOSE). */
  log(): string;
  /** Kills every per-connection sshd process (SIGKILL): open sessions are cut, the server keeps listening. */
  dropConnections(): number;
  /** Stops (SIGSTOP) every per-connection process: transfers hang until `dropConnections` or `resumeConnections`. */
  freezeConnections(): number;
  resumeConnections(): number;
  /** Stops listening and cuts every connection; keys and files are kept, `restart` brings it back on the same port. */
  halt(): Promise<void>;
  /** Starts again on the same port, with the same keys and files (halting first if it runs). */
  restart(): Promise<void>;
  /** Halts and removes the temporary directory. */
  stop(): Promise<void>;
}

/** Every process whose parent chain leads to `pid` (Linux /proc). */
function descendantsOf(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(entry), ppid);
    } catch {
      /* the process ended while we looked */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent) if (pp === p) (out.push(child), walk(child));
  };
  walk(pid);
  return out;
}

function signalAll(pids: number[], signal: NodeJS.Signals): number {
  let n = 0;
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
      n++;
    } catch {
      /* already gone */
    }
  }
  return n;
}

function keygen(file: string, comment: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], { stdio: 'pipe' });
}

/** `SHA256:…` of a public key file, as `ssh-keygen -l` prints it. */
export function fingerprintOf(publicKeyFile: string): string {
  const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', publicKeyFile], { encoding: 'utf8' });
  const m = /SHA256:[A-Za-z0-9+/]+/.exec(out);
  if (!m) throw new Error(`unexpected ssh-keygen output: ${out}`);
  return m[0];
}

/**
 * Starts a real OpenSSH server (`sshd -D -e`) on a free loopback port, SFTP only (`internal-sftp`), public-key
 * authentication with a generated client key, a generated ed25519 host key, everything in a temporary directory.
 *
 * No chroot: `ChrootDirectory` needs root-owned parent directories and sshd running as root, which a normal user
 * cannot provide; instead the session starts in `root` (`internal-sftp -d`), so relative paths land there. The same
 * setup works as root (logging in as root with a key) and as a normal user (sshd can then log in only that user).
 * `StrictModes no` because the key files live under /tmp, which is world-writable.
 */
export async function startTestSshd(opts: { port?: number } = {}): Promise<TestSshd> {
  if (!fs.existsSync(SSHD)) throw new Error(SSHD_INSTALL_HINT);
  const isRoot = process.getuid?.() === 0;
  // as root, sshd needs its privilege separation directory (Debian's service creates it at boot)
  if (isRoot) fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-sshd-'));
  const root = path.join(dir, 'root');
  fs.mkdirSync(root);
  const hostKey = path.join(dir, 'ssh_host_ed25519_key');
  const clientKey = path.join(dir, 'client_ed25519_key');
  keygen(hostKey, 'relais-test-host');
  keygen(clientKey, 'relais-test-client');
  fs.copyFileSync(`${clientKey}.pub`, path.join(dir, 'authorized_keys'));
  const user = os.userInfo().username;
  const port = opts.port ?? (await freePort());
  const config = path.join(dir, 'sshd_config');
  fs.writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      `AllowUsers ${user}`,
      'AllowTcpForwarding no',
      'X11Forwarding no',
      'PermitTTY no',
      'MaxStartups 100:30:200',
      'MaxSessions 50',
      `ForceCommand internal-sftp -d ${root}`,
      `Subsystem sftp internal-sftp -d ${root}`,
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );

  let child: ChildProcess | undefined;
  let log = '';
  const start = async () => {
    const c = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = c;
    const listening = new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer) => {
        log += d.toString();
        if (log.includes(`Server listening on 127.0.0.1 port ${port}`)) resolve();
      };
      c.stderr?.on('data', onData);
      c.once('exit', (code) => reject(new Error(`sshd exited (${code}) at start:\n${log}`)));
      c.once('error', reject);
    });
    const timeout = setTimeout(() => c.kill('SIGKILL'), 15_000);
    try {
      await listening;
    } finally {
      clearTimeout(timeout);
    }
  };
  const halt = async () => {
    const c = child;
    child = undefined;
    if (!c?.pid || c.exitCode !== null) return;
    // per-connection children outlive the listener: collect them first, while they are still its descendants
    const sessions = descendantsOf(c.pid);
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGTERM');
    signalAll(sessions, 'SIGKILL');
    const t = setTimeout(() => c.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  };
  const sessions = () => (child?.pid ? descendantsOf(child.pid) : []);

  await start();
  return {
    host: '127.0.0.1',
    port,
    user,
    privateKey: fs.readFileSync(clientKey, 'utf8'),
    privateKeyPath: clientKey,
    hostKeyFingerprint: fingerprintOf(`${hostKey}.pub`),
    root,
    log: () => log,
    dropConnections: () => signalAll(sessions(), 'SIGKILL'),
    freezeConnections: () => signalAll(sessions(), 'SIGSTOP'),
    resumeConnections: () => signalAll(sessions(), 'SIGCONT'),
    halt,
    async restart() {
      await halt();
      await start();
    },
    async stop() {
      await halt();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
