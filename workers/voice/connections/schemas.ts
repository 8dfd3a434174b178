// Telnyx's connection family as the seed (001) and Telnyx's spec describe it: credential, IP and
// FQDN connections, FQDNs, IPs and outbound voice profiles, each field with the default Telnyx
// applies on create and the enum or range it checks. Where the spec gives no default the field is
// null (or "" for text Telnyx treats as blank), so every object has every field.

import { parseCountryCode } from '../../../shared/phone';
import { ANCHORSITES, DEFAULT_CODECS, T38_SOURCES } from '../../../shared/telnyx/connection-values';

export { ANCHORSITES, DEFAULT_CODECS, T38_SOURCES };
import { bool, group, httpUrl, int, length, numericId, oneOf, text, type Field, type Fields } from './fields';

export type ConnectionType = 'credential' | 'ip' | 'fqdn';
export const CONNECTION_TYPES: readonly ConnectionType[] = ['credential', 'ip', 'fqdn'];

export const RECORD_TYPE = {
  credential: 'credential_connection',
  ip: 'ip_connection',
  fqdn: 'fqdn_connection',
} as const satisfies Record<ConnectionType, string>;

const CODECS = [...DEFAULT_CODECS, 'VP8', 'AMR-WB'];
const NOISE_ENGINES = [
  'denoiser',
  'deep_filter_net',
  'deep_filter_net_large',
  'krisp_viva_tel',
  'krisp_viva_tel_lite',
  'krisp_viva_promodel',
  'krisp_viva_ss',
  'quail_voice_focus',
];
/** Telnyx: 0 for denoiser, 100 for quail_voice_focus, 80 for the others. */
export function attenuationDefault(engine: string): number {
  return engine === 'denoiser' ? 0 : engine === 'quail_voice_focus' ? 100 : 80;
}

export const ANI_NUMBER_FORMATS = ['+E.164', 'E.164', '+E.164-national', 'E.164-national'];
export const DNIS_NUMBER_FORMATS = ['+e164', 'e164', 'national', 'sip_username'];
export const SIP_REGIONS = ['US', 'Europe', 'Australia'];
export const SUBDOMAIN_RECEIVE = ['only_my_connections', 'from_anyone'];
export const ROUTING_METHODS = ['sequential', 'round-robin'];

export const country = (value: string) =>
  /^[A-Z]{2}$/.test(value) && parseCountryCode(value) !== undefined
    ? undefined
    : 'must be an ISO 3166 alpha-2 country code such as "US"';
export const codec = (value: string) => (CODECS.includes(value) ? undefined : `must be one of ${CODECS.join(', ')}`);
export const subdomain = (value: string) =>
  /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(value) ? undefined : 'must be a DNS label (letters, digits, hyphens)';
const techPrefix = (value: string) => (/^(\d{4})?$/.test(value) ? undefined : 'must be exactly 4 digits, or ""');
const shortText = length(1, 255);
const optionalId = () => text(null, numericId);
const urlOrBlank = (value: string) => (value === '' ? undefined : httpUrl(value));

/** A SIP user name: 4 to 32 letters and digits, a letter among the first five. */
export function sipUserName(value: string): string | undefined {
  if (!/^[A-Za-z0-9]{4,32}$/.test(value)) return 'must be 4 to 32 letters and digits (no spaces or symbols)';
  return /[A-Za-z]/.test(value.slice(0, 5)) ? undefined : 'must have a letter among its first 5 characters';
}

// --- Connections ----------------------------------------------------------------------------------

const common: Fields = {
  id: text(null, undefined, { readOnly: true }),
  record_type: text(null, undefined, { readOnly: true }),
  active: bool(true),
  anchorsite_override: oneOf(ANCHORSITES, 'Latency'),
  android_push_credential_id: text(null, shortText),
  ios_push_credential_id: text(null, shortText),
  call_cost_in_webhooks: bool(false),
  connection_name: text('', shortText),
  default_on_hold_comfort_noise_enabled: bool(true),
  dtmf_type: oneOf(['RFC 2833', 'Inband', 'SIP INFO'], 'RFC 2833'),
  encode_contact_header_enabled: bool(false),
  encrypted_media: oneOf(['SRTP'], null),
  jitter_buffer: group({
    enable_jitter_buffer: bool(false),
    jitterbuffer_msec_min: int(40, 400, null),
    jitterbuffer_msec_max: int(40, 400, null),
  }),
  noise_suppression: oneOf(['inbound', 'outbound', 'both', 'disabled'], 'disabled'),
  noise_suppression_details: group({
    engine: oneOf(NOISE_ENGINES, 'denoiser'),
    attenuation_limit: int(0, 100, 0),
  }),
  onnet_t38_passthrough_enabled: bool(false),
  rtcp_settings: group({
    capture_enabled: bool(false),
    port: oneOf(['rtcp-mux', 'rtp+1'], 'rtp+1'),
    report_frequency_secs: int(5, 3000, 5),
  }),
  tags: { type: 'strings', default: [], check: shortText },
  webhook_api_version: oneOf(['1', '2'], '1'),
  webhook_event_url: text(null, httpUrl),
  webhook_event_failover_url: { ...text('', urlOrBlank), nullable: true },
  webhook_timeout_secs: int(0, 30, null),
  created_at: text(null, undefined, { readOnly: true }),
  updated_at: text(null, undefined, { readOnly: true }),
};

const inboundCommon: Fields = {
  ani_number_format: oneOf(ANI_NUMBER_FORMATS, 'E.164-national'),
  channel_limit: int(1, 100_000, null),
  codecs: { type: 'strings', default: DEFAULT_CODECS, check: codec, unique: true },
  default_routing_method: oneOf(ROUTING_METHODS, null),
  dnis_number_format: oneOf(DNIS_NUMBER_FORMATS, 'e164'),
  generate_ringback_tone: bool(false),
  isup_headers_enabled: bool(false),
  prack_enabled: bool(false),
  shaken_stir_enabled: bool(false),
  sip_compact_headers_enabled: bool(true),
  timeout_1xx_secs: int(1, 120, 3),
  timeout_2xx_secs: int(1, 600, 90),
};
const inboundSip = (receive: string | null): Fields => ({
  sip_region: oneOf(SIP_REGIONS, 'US'),
  sip_subdomain: text(null, subdomain),
  sip_subdomain_receive_settings: oneOf(SUBDOMAIN_RECEIVE, receive),
});

const outboundCommon: Fields = {
  ani_override: text('', length(0, 32)),
  ani_override_type: oneOf(['always', 'normal', 'emergency'], 'always'),
  call_parking_enabled: bool(false, { nullable: true }),
  channel_limit: int(1, 100_000, null),
  generate_ringback_tone: bool(false),
  instant_ringback_enabled: bool(true),
  localization: text('US', country),
  outbound_voice_profile_id: optionalId(),
  t38_reinvite_source: oneOf(T38_SOURCES, 'telnyx'),
};

const credential: Fields = {
  ...common,
  // Telnyx's create request defaults this to false for credential connections (true elsewhere).
  default_on_hold_comfort_noise_enabled: bool(false),
  user_name: text(null, sipUserName),
  password: text(null, length(8, 128)),
  sip_uri_calling_preference: oneOf(['disabled', 'unrestricted', 'internal'], 'disabled'),
  inbound: group({ ...inboundCommon, simultaneous_ringing: oneOf(['disabled', 'enabled'], 'disabled') }),
  outbound: group(outboundCommon),
};

const ip: Fields = {
  ...common,
  transport_protocol: oneOf(['UDP', 'TCP', 'TLS'], 'UDP'),
  inbound: group({
    ...inboundCommon,
    ...inboundSip(null),
    default_primary_ip_id: optionalId(),
    default_secondary_ip_id: optionalId(),
    default_tertiary_ip_id: optionalId(),
  }),
  outbound: group({
    ...outboundCommon,
    localization: text(null, country),
    t38_reinvite_source: oneOf(T38_SOURCES, 'customer'),
    ip_authentication_method: oneOf(['tech-prefixp-charge-info', 'token'], 'tech-prefixp-charge-info'),
    ip_authentication_token: text(null, length(1, 255)),
    tech_prefix: text('', techPrefix),
  }),
};

const readOnlyFalse = () => bool(false, { readOnly: true });
const fqdn: Fields = {
  ...common,
  transport_protocol: oneOf(['UDP', 'TCP', 'TLS'], 'UDP'),
  microsoft_teams_sbc: bool(false),
  // Telnyx's own settings of an FQDN connection that its API shows but does not take.
  adjust_dtmf_timestamp: readOnlyFalse(),
  call_cost_enabled: readOnlyFalse(),
  ignore_dtmf_duration: readOnlyFalse(),
  ignore_mark_bit: readOnlyFalse(),
  rtp_pass_codecs_on_stream_change: readOnlyFalse(),
  send_normalized_timestamps: readOnlyFalse(),
  third_party_control_enabled: readOnlyFalse(),
  txt_name: text(null, undefined, { readOnly: true }),
  txt_ttl: int(0, 2 ** 31, null, { readOnly: true }),
  txt_value: text(null, undefined, { readOnly: true }),
  inbound: group({
    ...inboundCommon,
    ...inboundSip('from_anyone'),
    default_routing_method: oneOf(ROUTING_METHODS, 'sequential'),
    default_primary_fqdn_id: optionalId(),
    default_secondary_fqdn_id: optionalId(),
    default_tertiary_fqdn_id: optionalId(),
  }),
  outbound: group({
    ...outboundCommon,
    instant_ringback_enabled: bool(false),
    t38_reinvite_source: oneOf(T38_SOURCES, 'customer'),
    encrypted_media: oneOf(['SRTP'], null),
    ip_authentication_method: oneOf(['credential-authentication', 'ip-authentication'], 'ip-authentication'),
    ip_authentication_token: text(null, length(1, 255)),
    tech_prefix: text('', techPrefix),
    timeout_1xx_secs: int(1, 120, 3),
    timeout_2xx_secs: int(1, 600, 90),
  }),
};

export const CONNECTION_FIELDS: Record<ConnectionType, Fields> = { credential, ip, fqdn };

/** Fields a create needs (credential: Telnyx's user_name, password and connection_name). */
export const CONNECTION_REQUIRED: Record<ConnectionType, readonly string[]> = {
  credential: ['user_name', 'password', 'connection_name'],
  ip: [],
  fqdn: ['connection_name'],
};

/** The fields of a create body: Telnyx also takes webhook_api_version "texml" on credential creates. */
export function connectionFields(type: ConnectionType, op: 'create' | 'update'): Fields {
  if (type === 'credential' && op === 'create') {
    return { ...credential, webhook_api_version: oneOf(['1', '2', 'texml'], '1') };
  }
  return CONNECTION_FIELDS[type];
}

// --- FQDNs and IPs --------------------------------------------------------------------------------

/** A host name: dot-separated DNS labels (an SRV name's may start with "_"), 253 characters at most. */
export function hostName(value: string): string | undefined {
  const labels = value.split('.');
  const ok =
    value.length <= 253 &&
    labels.length >= 2 &&
    labels.every((label) => subdomain(label.replace(/^_/, '')) === undefined) &&
    /[a-z]/i.test(labels[labels.length - 1]!);
  return ok ? undefined : 'must be a fully qualified domain name such as "sip.example.com"';
}

/** An IPv4 address in dotted decimal, or an IPv6 address. */
export function ipAddress(value: string): string | undefined {
  const v4 = value.split('.');
  if (v4.length === 4 && v4.every((part) => /^(0|[1-9]\d{0,2})$/.test(part) && Number(part) <= 255)) return undefined;
  if (value.includes(':')) {
    try {
      new URL(`http://[${value}]/`);
      return undefined;
    } catch {
      // not IPv6 either
    }
  }
  return 'must be an IPv4 address such as "192.0.2.10" (or an IPv6 address)';
}

const port = (fallback: number | null): Field => int(1, 65535, fallback);
const timestamps: Fields = {
  id: text(null, undefined, { readOnly: true }),
  record_type: text(null, undefined, { readOnly: true }),
  created_at: text(null, undefined, { readOnly: true }),
  updated_at: text(null, undefined, { readOnly: true }),
};

export const FQDN_FIELDS: Fields = {
  ...timestamps,
  connection_id: text(null, numericId),
  fqdn: text(null, hostName),
  dns_record_type: oneOf(['a', 'srv'], 'a'),
  port: port(5060),
};

export const IP_FIELDS: Fields = {
  ...timestamps,
  connection_id: text(null, numericId),
  ip_address: text(null, ipAddress),
  port: port(5060),
};

// --- Outbound voice profiles ----------------------------------------------------------------------

const e164 = (value: string) => (/^\+[1-9]\d{6,14}$/.test(value) ? undefined : 'must be a number in +E.164 format');
const timeOfDay = (value: string) =>
  /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?Z?$/.test(value)
    ? undefined
    : 'must be a time of day such as "08:00:00.00Z"';
const uuid = (value: string) =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value) ? undefined : 'must be a UUID';
const money = (value: string) =>
  /^\d{1,9}(\.\d{1,2})?$/.test(value) ? undefined : 'must be an amount such as "100.00"';

export const OVP_FIELDS: Fields = {
  ...timestamps,
  name: text(null, length(3, 255)),
  enabled: bool(true),
  billing_group_id: text(null, uuid),
  call_recording: group({
    call_recording_type: oneOf(['all', 'none', 'by_caller_phone_number'], 'none'),
    call_recording_caller_phone_numbers: { type: 'strings', default: [], check: e164, unique: true },
    call_recording_channels: oneOf(['single', 'dual'], 'single'),
    call_recording_format: oneOf(['wav', 'mp3'], 'wav'),
  }),
  calling_window: group({
    start_time: text(null, timeOfDay),
    end_time: text(null, timeOfDay),
    calls_per_cld: int(1, 10_000, null),
  }),
  concurrent_call_limit: int(1, 100_000, null),
  connections_count: int(0, 2 ** 31, 0, { readOnly: true }),
  daily_spend_limit: text(null, money),
  daily_spend_limit_enabled: bool(false),
  max_destination_rate: { type: 'number', min: 0, max: 1_000, default: null, nullable: true },
  service_plan: oneOf(['global'], 'global'),
  tags: { type: 'strings', default: [], check: shortText },
  traffic_type: oneOf(['conversational'], 'conversational'),
  usage_payment_method: oneOf(['rate-deck'], 'rate-deck'),
  whitelisted_destinations: { type: 'strings', default: ['US', 'CA'], check: country, unique: true },
};
