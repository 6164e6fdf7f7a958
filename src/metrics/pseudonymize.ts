import { createHash, createHmac } from 'node:crypto';

/**
 * Requesters (and survey respondents) are stored as HMAC-SHA256 pseudonyms, keyed with a secret
 * that lives in the environment or the config, never in the database: whoever reads the database
 * can group by requester but cannot tell who they are, nor test a guessed e-mail without the key.
 */
export const PSEUDONYM_KEY_ENV = 'PRAZO_PSEUDONYM_KEY';

/** Used when no key is configured, so development works; pseudonyms made with it are not private. */
export const DEVELOPMENT_PSEUDONYM_KEY = 'prazo-development-pseudonym-key-NOT-SECRET';

/** An HMAC key prepared for SQL: the key XOR ipad and XOR opad (RFC 2104), as hex. */
export interface PseudonymKey {
  readonly ipadHex: string;
  readonly opadHex: string;
  /** True when the development default is in use. */
  readonly development: boolean;
}

let warnedDevelopmentKey = false;

export interface PseudonymKeyOptions {
  /** A key from the config file; wins over the environment. */
  key?: string;
  env?: NodeJS.ProcessEnv;
  /** Where the one-time warning about the development key goes (stderr by default). */
  warn?: (message: string) => void;
}

/** The configured key, else PRAZO_PSEUDONYM_KEY, else the development default with one warning per process. */
export function resolvePseudonymKey(options: PseudonymKeyOptions = {}): PseudonymKey {
  const configured = options.key ?? (options.env ?? process.env)[PSEUDONYM_KEY_ENV];
  if (configured !== undefined && configured !== '') return preparePseudonymKey(configured, false);
  if (!warnedDevelopmentKey) {
    warnedDevelopmentKey = true;
    const warn = options.warn ?? ((message: string) => process.stderr.write(`${message}\n`));
    warn(
      `prazo: ${PSEUDONYM_KEY_ENV} is not set; requesters are pseudonymised with the development key, ` +
        'which is public. Set a secret key before loading real data.',
    );
  }
  return preparePseudonymKey(DEVELOPMENT_PSEUDONYM_KEY, true);
}

export function preparePseudonymKey(key: string, development = false): PseudonymKey {
  let bytes = Buffer.from(key, 'utf8');
  if (bytes.length > 64) bytes = createHash('sha256').update(bytes).digest();
  const block = Buffer.alloc(64);
  bytes.copy(block);
  return {
    ipadHex: Buffer.from(block.map((b) => b ^ 0x36)).toString('hex'),
    opadHex: Buffer.from(block.map((b) => b ^ 0x5c)).toString('hex'),
    development,
  };
}

/**
 * The pseudonym of a value: the first 128 bits of its HMAC-SHA256, as a UUID (the same as
 * pseudonymSql computes in DuckDB). A UUID column stores 16 bytes and compares as a number, which
 * keeps writing a million of them cheap; 128 bits make collisions a non-issue.
 */
export function pseudonymize(key: string, value: string): string {
  const hex = createHmac('sha256', key).update(value, 'utf8').digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * SQL for the pseudonym (a UUID) of a VARCHAR expression, NULL staying NULL: HMAC-SHA256 written
 * with DuckDB's sha256, reading the key from the bound parameters $pseudonym_ipad and $pseudonym_opad.
 */
export function pseudonymSql(expression: string): string {
  return `sha256(from_hex($pseudonym_opad) || unhex(sha256(from_hex($pseudonym_ipad) || encode(${expression}))))[1:32]::UUID`;
}

/** The bound parameters pseudonymSql reads. */
export function pseudonymParams(key: PseudonymKey): { pseudonym_ipad: string; pseudonym_opad: string } {
  return { pseudonym_ipad: key.ipadHex, pseudonym_opad: key.opadHex };
}
