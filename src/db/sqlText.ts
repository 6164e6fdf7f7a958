/** A name as a DuckDB identifier, double quotes doubled. */
export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** A text as a DuckDB string literal, single quotes doubled. */
export const quoteLiteral = (text: string) => `'${text.replaceAll("'", "''")}'`;
