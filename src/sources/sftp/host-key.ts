import crypto from 'node:crypto';

/** `SHA256:<base64 without padding>` of a raw SSH public key blob: the form `ssh-keygen -l` and `ssh` print. */
export function hostKeyFingerprint(key: Buffer): string {
  return `SHA256:${crypto.createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

export const FINGERPRINT_PATTERN = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** The server presented a host key that is not the pinned one: nothing was sent, nothing read. */
export class HostKeyMismatchError extends Error {
  constructor(
    readonly endpoint: string,
    readonly presented: string,
    readonly expected: readonly string[],
  ) {
    super(
      `host key verification failed for ${endpoint}: the server presented ${presented}, the channel pins ${expected.join(' or ')}. ` +
        'Refusing to connect: a changed host key may mean a man-in-the-middle. Check the new key with the server administrator ' +
        '(ssh-keygen -l -f <host key>.pub) before updating hostKeyFingerprint.',
    );
    this.name = 'HostKeyMismatchError';
  }
}

/**
 * A host key check for ssh2's `hostVerifier`: accepts only a pinned fingerprint and remembers what was presented, so
 * that a refused connection can be reported with both fingerprints.
 */
export function pinnedHostKey(expected: readonly string[]) {
  let presented: string | undefined;
  return {
    verify(key: Buffer): boolean {
      presented = hostKeyFingerprint(key);
      return expected.includes(presented);
    },
    /** The mismatch seen during the last handshake, if that is why it failed. */
    mismatch(endpoint: string): HostKeyMismatchError | undefined {
      return presented !== undefined && !expected.includes(presented) ? new HostKeyMismatchError(endpoint, presented, expected) : undefined;
    },
  };
}
