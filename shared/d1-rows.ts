// Many rows into D1 in a few statements.
//
// D1 runs every statement of a batch on its own: each one is parsed, bound and answered with its
// own result. A batch of a hundred one-row INSERTs spent most of its time there (measured on
// wrangler dev: writing a pool's webhook history that way cost about as much CPU as receiving the
// webhooks). A long VALUES list is no way out either, since D1 takes at most 100 bound parameters
// per statement. So the rows travel as one JSON array bound to a single parameter, and SQLite's
// json_each spreads it back into rows: a hundred rows are one statement.
//
// Values keep their SQL types through JSON: strings stay TEXT, integers INTEGER, fractions REAL,
// null NULL (booleans arrive as 1 and 0). Rows are applied in the order given, so when one key
// appears twice in an upsert the later row wins, as it would with one statement per row.

/**
 * What goes into one statement at most, in characters of JSON; a row bigger than this goes alone.
 * Even all in three-byte characters that stays under the 2 MB D1 allows for one value. A lone row
 * must stay under that itself: the largest written here is a webhook body, at most 256 KiB, which
 * JSON's escapes make at most six times longer (control characters as \u0000): 1.5 MB.
 */
export const ROWS_PER_STATEMENT_CHARS = 512 * 1024;

export interface RowsInsert {
  /** The table written to. */
  table: string;
  /** Its columns, in the order of each row's values. */
  columns: readonly string[];
  /** What follows the rows, e.g. `ON CONFLICT (id) DO UPDATE SET n = excluded.n`. */
  onConflict?: string;
}

/** The INSERT for `insert`, reading its rows from the JSON array bound as its one parameter. */
export function rowsInsertSql(insert: RowsInsert): string {
  const values = insert.columns.map((_, i) => `json_extract(value, '$[${i}]')`).join(', ');
  // "WHERE true" is what SQLite asks for between an INSERT's SELECT and an upsert clause.
  return (
    `INSERT INTO ${insert.table} (${insert.columns.join(', ')}) SELECT ${values} FROM json_each(?) ` +
    `WHERE true ORDER BY key ${insert.onConflict ?? ''}`.trimEnd()
  );
}

/**
 * The statements that write `rows` (each an array of values in `insert.columns` order), to be run
 * in one `db.batch` with whatever else belongs with them. No rows, no statements.
 */
export function rowsInsertStatements(
  db: D1Database,
  insert: RowsInsert,
  rows: ReadonlyArray<readonly unknown[]>,
  maxChars = ROWS_PER_STATEMENT_CHARS,
): D1PreparedStatement[] {
  for (const row of rows) {
    if (row.length !== insert.columns.length) {
      throw new Error(`A row for ${insert.table} has ${row.length} values for ${insert.columns.length} columns.`);
    }
  }
  const statement = db.prepare(rowsInsertSql(insert));
  const statements: D1PreparedStatement[] = [];
  let chunk: string[] = [];
  let chars = 0;
  for (const row of rows) {
    const text = JSON.stringify(row);
    if (chunk.length > 0 && chars + text.length + 1 > maxChars) {
      statements.push(statement.bind(`[${chunk.join(',')}]`));
      chunk = [];
      chars = 0;
    }
    chunk.push(text);
    chars += text.length + 1;
  }
  if (chunk.length > 0) statements.push(statement.bind(`[${chunk.join(',')}]`));
  return statements;
}
