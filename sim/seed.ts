// The account the simulator starts with (and returns to on POST /sim/reset). Documented in
// sim/README.md; tests and the README's examples rely on these numbers and ids.

import type { NumberType } from '../shared/telnyx/throughput';

export type { NumberType };

export interface SeedNumber {
  phone_number: string;
  type: NumberType;
  country_code: string;
  messaging_profile_id: string | null;
}

/** Fixed ids, so examples can name them. */
export const SEED_PROFILE_IDS = {
  marketing: '40017000-0000-4000-8000-000000000001',
  support: '40017000-0000-4000-8000-000000000002',
} as const;

export const SIM_ORGANIZATION_ID = '40017000-0000-4000-8000-0000000000aa';

/** Voice resources' fixed ids (Telnyx's voice ids are int64s written as strings). */
export const SEED_VOICE_IDS = {
  outboundVoiceProfile: '1700000000000000001',
  callControlApplication: '1700000000000000002',
  credentialConnection: '1700000000000000003',
} as const;

/** The outbound voice profile every seeded connection uses. */
export const SEED_OUTBOUND_VOICE_PROFILE = {
  name: 'Default outbound',
  whitelisted_destinations: ['US', 'CA'],
  concurrent_call_limit: 10,
  tags: ['telnyx-edge'],
};

/**
 * The Call Control application every account number is assigned to, so an inbound call reaches the
 * bundle. Its webhook URLs are built from the webhook base (see followWebhookBase).
 */
export function seedCallControlApplication(webhookBase: string) {
  return {
    application_name: 'telnyx-edge',
    webhook_event_url: `${webhookBase}/webhooks/voice`,
    webhook_event_failover_url: `${webhookBase}/webhooks/voice/failover`,
    webhook_api_version: '2',
    webhook_timeout_secs: 2,
    outbound: { outbound_voice_profile_id: SEED_VOICE_IDS.outboundVoiceProfile },
    tags: ['telnyx-edge'],
  };
}

/** A credential connection for desk phones, so there is a SIP connection to list and sync. */
export const SEED_CREDENTIAL_CONNECTION = {
  connection_name: 'Office desk phones',
  user_name: 'edgeoffice',
  password: 'dev-password-not-a-secret',
  webhook_api_version: '2',
  outbound: { outbound_voice_profile_id: SEED_VOICE_IDS.outboundVoiceProfile },
  tags: ['office'],
};

export const SEED_PROFILES = [
  {
    id: SEED_PROFILE_IDS.marketing,
    name: 'Marketing (pool)',
    whitelisted_destinations: ['US', 'CA'],
    number_pool_settings: {
      long_code_weight: 1,
      toll_free_weight: 1,
      skip_unhealthy: true,
      sticky_sender: true,
      geomatch: true,
    },
  },
  {
    id: SEED_PROFILE_IDS.support,
    name: 'Support',
    whitelisted_destinations: ['US', 'CA', 'GB'],
    number_pool_settings: null,
  },
] as const;

const { marketing, support } = SEED_PROFILE_IDS;

export const SEED_NUMBERS: SeedNumber[] = [
  // Long codes across NANP area codes: Chicago, New York, San Francisco (pool), Austin (support).
  ...['+13125550100', '+13125550101', '+13125550102'].map((n) => longCode(n, 'US', marketing)),
  ...['+12125550100', '+12125550101'].map((n) => longCode(n, 'US', marketing)),
  ...['+14155550100', '+14155550101'].map((n) => longCode(n, 'US', marketing)),
  ...['+15125550100', '+15125550101'].map((n) => longCode(n, 'US', support)),
  longCode('+14165550100', 'CA', support),
  // Toll-free numbers in the pool.
  { phone_number: '+18335550100', type: 'toll-free', country_code: 'US', messaging_profile_id: marketing },
  { phone_number: '+18445550100', type: 'toll-free', country_code: 'US', messaging_profile_id: marketing },
  { phone_number: '+18885550100', type: 'toll-free', country_code: 'US', messaging_profile_id: null },
  // A short code: on the marketing profile, but never in Telnyx's pool.
  { phone_number: '22395', type: 'short-code', country_code: 'US', messaging_profile_id: marketing },
  // Numbers in other countries, not yet on a profile.
  longCode('+442079460100', 'GB', null),
  longCode('+447400123456', 'GB', null),
  longCode('+4915112345678', 'DE', null),
  longCode('+61412345678', 'AU', null),
];

function longCode(phone_number: string, country_code: string, profile: string | null): SeedNumber {
  return { phone_number, type: 'long-code', country_code, messaging_profile_id: profile };
}
