/**
 * An e-mail address as Prazo stores and compares it — users, audit actors and report recipients
 * alike: trimmed and lower-cased. It does not say whether the address is valid; each caller checks
 * that with its own rule (users.ts, recipients.ts).
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
