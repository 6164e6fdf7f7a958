// ── CSV ─────────────────────────────────────────────────────────────────────────────────────────

export interface CsvRow {
  /** Line on which the row starts, from 1. */
  line: number;
  /** The row as written in the file, without its line ending. */
  text: string;
  fields: string[];
  /** Why the row is malformed, when it is. */
  error?: string;
}

/** The longest row kept in memory: a quote left open must not swallow the whole file. */
export const MAX_ROW_CHARS = 8 << 20;
const QUOTE = 34;
const LF = 10;
const CR = 13;
const enum State {
  FieldStart,
  Plain,
  Quoted,
  QuoteSeen,
  AfterQuote,
}

/**
 * RFC 4180 CSV, fed in chunks of any size: quoted fields with `""` escapes, delimiters and line
 * breaks inside quotes, LF or CRLF row endings. Memory holds the row being read, not the file.
 * Blank lines are skipped; a quote inside an unquoted field is kept as text.
 */
export class CsvParser {
  private text = '';
  private scan = 0;
  private state = State.FieldStart;
  private segment = 0;
  private field = '';
  private fields: string[] = [];
  private line = 1;
  private rowLine = 1;
  private error: string | undefined;

  constructor(private readonly delimiter = ',') {}

  /** The rows completed by this chunk. */
  push(chunk: string): CsvRow[] {
    const rows: CsvRow[] = [];
    const t = this.text + chunk;
    const d = this.delimiter.charCodeAt(0);
    let rowStart = 0;
    for (let i = this.scan; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === LF) this.line++;
      switch (this.state) {
        case State.FieldStart:
          if (c === QUOTE) {
            this.state = State.Quoted;
            this.segment = i + 1;
          } else if (c === d) this.fields.push('');
          else if (c === LF) rowStart = this.endRow(rows, t, rowStart, i, '');
          else {
            this.state = State.Plain;
            this.segment = i;
          }
          break;
        case State.Plain:
          if (c === d) {
            this.fields.push(t.slice(this.segment, i));
            this.state = State.FieldStart;
          } else if (c === LF) rowStart = this.endRow(rows, t, rowStart, i, stripCr(t.slice(this.segment, i)));
          break;
        case State.Quoted:
          if (c === QUOTE) {
            this.field += t.slice(this.segment, i);
            this.state = State.QuoteSeen;
          }
          break;
        case State.QuoteSeen:
          if (c === QUOTE) {
            this.field += '"';
            this.segment = i + 1;
            this.state = State.Quoted;
            break;
          }
          this.state = State.AfterQuote;
        // falls through: the quote closed the field
        case State.AfterQuote:
          if (c === d) {
            this.fields.push(this.field);
            this.field = '';
            this.state = State.FieldStart;
          } else if (c === LF) rowStart = this.endRow(rows, t, rowStart, i, this.field);
          else if (c !== CR) {
            this.error ??= `line ${this.line}: text after a closing quote`;
            this.field += t[i];
          }
          break;
      }
    }
    if (this.state === State.Plain || this.state === State.Quoted) this.segment -= rowStart;
    this.text = t.slice(rowStart);
    this.scan = this.text.length;
    if (this.text.length > MAX_ROW_CHARS) {
      throw new Error(`line ${this.rowLine}: a row longer than ${MAX_ROW_CHARS} characters; is a quote left open?`);
    }
    return rows;
  }

  /** The last row, when the file does not end with a line break. */
  end(): CsvRow[] {
    const rows: CsvRow[] = [];
    const t = this.text;
    if (this.state === State.Quoted) {
      this.error ??= `line ${this.rowLine}: a quoted field is not closed before the end of the file`;
      this.endRow(rows, t, 0, t.length, this.field + t.slice(this.segment));
    } else if (this.state === State.Plain) this.endRow(rows, t, 0, t.length, stripCr(t.slice(this.segment)));
    else if (this.state !== State.FieldStart || this.fields.length > 0) this.endRow(rows, t, 0, t.length, this.field);
    this.text = '';
    this.scan = 0;
    return rows;
  }

  /** Closes the row ending at `end` with its last field; returns where the next row starts. */
  private endRow(rows: CsvRow[], t: string, start: number, end: number, last: string): number {
    this.fields.push(last);
    const text = stripCr(t.slice(start, end));
    if (!(this.fields.length === 1 && text === '')) {
      rows.push({ line: this.rowLine, text, fields: this.fields, ...(this.error ? { error: this.error } : {}) });
    }
    this.fields = [];
    this.field = '';
    this.error = undefined;
    this.state = State.FieldStart;
    this.rowLine = this.line;
    return end + 1;
  }
}

const stripCr = (s: string) => (s.charCodeAt(s.length - 1) === CR ? s.slice(0, -1) : s);
