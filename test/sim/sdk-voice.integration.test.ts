// The official `telnyx` SDK against the simulator's voice API, unchanged but for its base URL:
// connections and outbound voice profiles (create, list across pages, registration status), and a
// call driven through Call Control (dial, the far end answers, speak, hangup) with the SDK's typed
// answers. This file imports the whole SDK, which costs a few seconds of transform.
import { SELF } from 'cloudflare:test';
import Telnyx from 'telnyx';
import { beforeEach, describe, expect, it } from 'vitest';
import { BASE } from './support';
import { APPLICATION, CREDENTIAL, OUR_NUMBER, PROFILE, advance, eventTypes, resetVoice } from './voice';

const client = new Telnyx({
  apiKey: 'KEY_test_sdk',
  baseURL: `${BASE}/v2`,
  maxRetries: 0,
  fetch: (input, init) => SELF.fetch(input as string, init),
});

beforeEach(() => resetVoice());

describe('connections through the SDK', () => {
  it('creates a credential connection, lists every connection across pages, checks registration', async () => {
    const { data: created } = await client.credentialConnections.create({
      connection_name: 'SDK phones',
      user_name: 'sdkphones1',
      password: 'sdk-password-1',
      outbound: { outbound_voice_profile_id: PROFILE },
    });
    expect(created).toMatchObject({ record_type: 'credential_connection', user_name: 'sdkphones1', active: true });
    const names: string[] = [];
    for await (const connection of client.connections.list({ 'page[size]': 1, sort: 'connection_name' })) {
      names.push(connection.connection_name!);
    }
    expect(names).toEqual(['Office desk phones', 'SDK phones', 'telnyx-edge']);
    const { data: status } = await client.credentialConnections.actions.checkRegistrationStatus(CREDENTIAL);
    expect(status).toMatchObject({
      record_type: 'registration_status',
      status: 'Not Registered',
      sip_username: 'edgeoffice',
    });
    const { data: profile } = await client.outboundVoiceProfiles.retrieve(PROFILE);
    expect(profile).toMatchObject({ name: 'Default outbound', connections_count: 3 });
    await expect(client.connections.retrieve('1999999999999999999')).rejects.toBeInstanceOf(Telnyx.NotFoundError);
  });
});

describe('Call Control through the SDK', () => {
  it('dials, speaks and hangs up; a command on the ended call is a 422 UnprocessableEntityError', async () => {
    const { data: call } = await client.calls.dial({
      connection_id: APPLICATION,
      from: OUR_NUMBER,
      to: '+12065550123',
    });
    expect(call).toMatchObject({ record_type: 'call', is_alive: false });
    await advance(2000);
    const id = call!.call_control_id;
    expect((await client.calls.actions.speak(id, { payload: 'Hello', voice: 'female' })).data).toEqual({
      result: 'ok',
    });
    expect((await client.calls.retrieveStatus(id)).data).toMatchObject({ is_alive: true });
    await client.calls.actions.hangup(id, {});
    const error = await client.calls.actions.hangup(id, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Telnyx.UnprocessableEntityError);
    expect(await eventTypes()).toEqual([
      'call.initiated',
      'call.answered',
      'call.speak.started',
      'call.speak.ended',
      'call.hangup',
    ]);
  });
});
