/** Structured log lines (same shape as the server's Logger; reports do not import the server). */
export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

export const quietLogger: Logger = { info() {}, warn() {}, error() {} };

/** The wall clock as UTC ms; tests pass a fixed or stepping one. */
export type Clock = () => number;
