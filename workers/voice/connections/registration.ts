// POST /v2/credential_connections/{id}/actions/check_registration_status.
//
// Upstream mode: Telnyx's registrar knows, so Telnyx is asked (a check changes nothing, so it is
// sent with the read policy and retried on a 5xx) and its answer passed on.
// Local mode: the connection exists only at the edge, which has no SIP registrar, and Telnyx does not
// know the connection, so no device can have registered on it: the answer is "Not Registered" with
// the user name and nothing else.
// Either way the answer is kept with the connection, for the V1 view's registration fields.

import { requireConnection } from './connections';
import { load, originOf, save, type RegistrationStatus } from './store';
import { modeOf, readUpstream } from './upstream';

type RegEnv = Pick<Env, 'CONFIG' | 'VOICE_CONNECTIONS_MODE' | 'TELNYX_API_KEY' | 'TELNYX_API_BASE'>;

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export async function checkRegistration(env: RegEnv, id: string): Promise<Record<string, unknown>> {
  const stored = await requireConnection(env.CONFIG, id, 'credential');
  let answer: Record<string, unknown>;
  if (modeOf(env) === 'local') {
    answer = {
      record_type: 'registration_status',
      status: 'Not Registered',
      sip_username: stored.data.user_name,
      ip_address: null,
      port: null,
      transport: null,
      user_agent: null,
      last_registration: null,
    };
  } else {
    const body = await readUpstream<{ data?: Record<string, unknown> }>(env, {
      method: 'POST',
      path: `/credential_connections/${encodeURIComponent(id)}/actions/check_registration_status`,
    });
    answer = body?.data ?? {};
  }
  const registration: RegistrationStatus = {
    status: text(answer.status) ?? 'Not Registered',
    ip_address: text(answer.ip_address),
    port: typeof answer.port === 'number' ? answer.port : null,
    transport: text(answer.transport),
    user_agent: text(answer.user_agent),
    last_registration: text(answer.last_registration),
    sip_username: text(answer.sip_username),
    checked_at: new Date().toISOString(),
  };
  // Read again: an update may have landed while Telnyx was asked.
  const latest = (await load(env.CONFIG, 'connection', id)) ?? stored;
  await save(env.CONFIG, 'connection', id, { ...latest, registration }, await originOf(env.CONFIG, 'connection', id));
  return answer;
}
