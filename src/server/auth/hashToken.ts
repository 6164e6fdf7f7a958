import { createHash } from 'node:crypto';

/** SHA-256 of `text` (UTF-8): how tokens, session secrets and CSRF tokens are stored and compared. */
export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
