// shared/d1-rows.ts against real D1: rows given as JSON arrive with their SQL types intact, in
// as few statements as the size cap allows, and an upsert applies them in order (the later row of
// one key wins), as one statement per row would.
import { beforeEach, describe, expect, it } from 'vitest';
import { rowsInsertSql, rowsInsertStatements, type RowsInsert } from '../../shared/d1-rows';
import { testEnv as env } from '../support/test-env';

const SCRATCH: RowsInsert = {
  table: 'd1_rows_scratch',
  columns: ['id', 'label', 'count', 'share', 'note'],
  onConflict: 'ON CONFLICT (id) DO UPDATE SET label = excluded.label, count = count + excluded.count',
};

interface ScratchRow {
  id: string;
  label: string | null;
  count: number | null;
  share: number | null;
  note: string | null;
}

async function scratchRows(): Promise<ScratchRow[]> {
  return (await env.DB.prepare('SELECT * FROM d1_rows_scratch ORDER BY id').all<ScratchRow>()).results;
}

beforeEach(async () => {
  await env.DB.exec('DROP TABLE IF EXISTS d1_rows_scratch');
  await env.DB.exec(
    'CREATE TABLE d1_rows_scratch (id TEXT PRIMARY KEY, label TEXT, count INTEGER, share REAL, note TEXT)',
  );
});

describe('rowsInsertStatements', () => {
  it('writes every row with its type: text, integer, real, null, and text that looks like JSON', async () => {
    const rows = [
      ['a', 'plain', 3, 0.25, null],
      ['b', 'quotes " and \\ and \u00e9\u{1F600}', 0, -1.5, '{"not":"parsed"}'],
      ['c', null, null, null, '[1,2]'],
    ];
    const statements = rowsInsertStatements(env.DB, SCRATCH, rows);
    expect(statements).toHaveLength(1);
    await env.DB.batch(statements);
    expect(await scratchRows()).toEqual([
      { id: 'a', label: 'plain', count: 3, share: 0.25, note: null },
      { id: 'b', label: 'quotes " and \\ and \u00e9\u{1F600}', count: 0, share: -1.5, note: '{"not":"parsed"}' },
      { id: 'c', label: null, count: null, share: null, note: '[1,2]' },
    ]);
  });

  it('keeps each value its SQL type, in a column without one (no affinity to convert it)', async () => {
    await env.DB.exec('CREATE TABLE d1_rows_untyped (id TEXT PRIMARY KEY, value)');
    try {
      const untyped: RowsInsert = { table: 'd1_rows_untyped', columns: ['id', 'value'] };
      await env.DB.batch(
        rowsInsertStatements(env.DB, untyped, [
          ['integer', 42],
          ['real', 2.5],
          ['text', '42'],
          ['null', null],
          ['true', true],
        ]),
      );
      const types = await env.DB.prepare(
        'SELECT id, typeof(value) AS type, value FROM d1_rows_untyped ORDER BY id',
      ).all();
      expect(types.results).toEqual([
        { id: 'integer', type: 'integer', value: 42 },
        { id: 'null', type: 'null', value: null },
        { id: 'real', type: 'real', value: 2.5 },
        { id: 'text', type: 'text', value: '42' },
        { id: 'true', type: 'integer', value: 1 },
      ]);
    } finally {
      await env.DB.exec('DROP TABLE d1_rows_untyped');
    }
  });

  it('a hundred rows in one statement, though D1 allows only 100 bound parameters', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => [
      `id-${String(i).padStart(3, '0')}`,
      `row ${i}`,
      i,
      i / 4,
      null,
    ]);
    const statements = rowsInsertStatements(env.DB, SCRATCH, rows);
    expect(statements).toHaveLength(1);
    await env.DB.batch(statements);
    const written = await scratchRows();
    expect(written).toHaveLength(100);
    expect(written[57]).toEqual({ id: 'id-057', label: 'row 57', count: 57, share: 14.25, note: null });
  });

  it('splits at the size cap, and a row bigger than the cap goes alone', async () => {
    const body = 'x'.repeat(300);
    const rows = Array.from({ length: 10 }, (_, i) => [`id-${i}`, body, i, null, null]);
    rows.push(['big', 'y'.repeat(5_000), 10, null, null]);
    const statements = rowsInsertStatements(env.DB, SCRATCH, rows, 1_000);
    // About three 330-character rows fit in 1,000 characters: 10 rows make four statements; the big one a fifth.
    expect(statements).toHaveLength(5);
    await env.DB.batch(statements);
    const written = await scratchRows();
    expect(written).toHaveLength(11);
    expect(written.find((r) => r.id === 'big')?.label).toHaveLength(5_000);
  });

  it('applies rows in order: the later row of a key updates the earlier, in one statement or across two', async () => {
    await env.DB.batch(
      rowsInsertStatements(env.DB, SCRATCH, [
        ['k', 'first', 1, null, null],
        ['k', 'second', 10, null, null],
        ['k', 'third', 100, null, null],
      ]),
    );
    expect(await scratchRows()).toEqual([{ id: 'k', label: 'third', count: 111, share: null, note: null }]);
    const split = rowsInsertStatements(
      env.DB,
      SCRATCH,
      [
        ['k', 'fourth', 1000, null, null],
        ['k', 'fifth', 10000, null, null],
      ],
      10,
    );
    expect(split).toHaveLength(2);
    await env.DB.batch(split);
    expect(await scratchRows()).toEqual([{ id: 'k', label: 'fifth', count: 11111, share: null, note: null }]);
  });

  it('no rows, no statements; a row with the wrong number of values is refused before D1', () => {
    expect(rowsInsertStatements(env.DB, SCRATCH, [])).toEqual([]);
    expect(() => rowsInsertStatements(env.DB, SCRATCH, [['a', 'b']])).toThrow(/2 values for 5 columns/);
  });

  it('the statement reads its rows from one parameter', () => {
    expect(rowsInsertSql({ table: 't', columns: ['a', 'b'] })).toBe(
      "INSERT INTO t (a, b) SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?) WHERE true ORDER BY key",
    );
  });
});
