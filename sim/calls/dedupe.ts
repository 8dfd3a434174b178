// command_id: Telnyx ignores a command that repeats a command_id for the same call within 60
// seconds (for dials, another dial with the same command_id). The repeat is answered as the first
// was, does nothing, and is marked in the request log (GET /sim/requests, note "duplicate").

import type { SimContext } from '../context';

export const COMMAND_ID_WINDOW_MS = 60_000;

/** The answer the first command with this command_id got, if it came less than 60 s ago. */
export function repeatOf(ctx: SimContext, scope: string, commandId: unknown): unknown {
  if (typeof commandId !== 'string' || commandId === '') return undefined;
  const row = ctx.store.first<{ at: number; response: string }>(
    'SELECT at, response FROM call_commands WHERE call_control_id = ? AND command_id = ?',
    scope,
    commandId,
  );
  if (row === undefined || ctx.now() - row.at >= COMMAND_ID_WINDOW_MS) return undefined;
  ctx.requestNote = 'duplicate';
  return JSON.parse(row.response);
}

export function remember(ctx: SimContext, scope: string, commandId: unknown, response: unknown): void {
  if (typeof commandId !== 'string' || commandId === '') return;
  // Past the window a command_id is forgotten, so the table holds a minute of commands at most.
  ctx.store.run('DELETE FROM call_commands WHERE at <= ?', ctx.now() - COMMAND_ID_WINDOW_MS);
  ctx.store.run(
    `INSERT INTO call_commands (call_control_id, command_id, at, response) VALUES (?, ?, ?, ?)
     ON CONFLICT (call_control_id, command_id) DO UPDATE SET at = excluded.at, response = excluded.response`,
    scope,
    commandId,
    ctx.now(),
    JSON.stringify(response),
  );
}
