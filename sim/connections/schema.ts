// The fields of Telnyx's connection resources as its spec (openapi.json, the SUBSET's section 5)
// gives them: types, enums, ranges and the defaults Telnyx applies on create. Credential, IP and
// FQDN connections share most of their fields; each kind's differences are spelled out below.
// Newer fields the pinned spec does not have (jitter_buffer, noise_suppression_details, ...) are
// not kept.

import { ANCHORSITES, DEFAULT_CODECS, T38_SOURCES } from '../../shared/telnyx/connection-values';
import { bool, int, list, num, object, oneOf, str, strings, url, type Field, type Fields } from '../api/fields';

export type ConnectionKind = 'credential_connection' | 'ip_connection' | 'fqdn_connection' | 'call_control_application';

const idRef = (options: { default?: string | null } = {}) =>
  str({ nullable: true, pattern: /^\d{1,19}$/, what: 'an id (digits)', ...options });

/** Fields every SIP connection kind has, with the credential connection's defaults. */
function baseFields(createDefaults: { comfortNoise: boolean }): Fields {
  return {
    active: bool({ default: true }),
    anchorsite_override: oneOf(ANCHORSITES, { default: 'Latency' }),
    connection_name: str({ min: 1, max: 255 }),
    default_on_hold_comfort_noise_enabled: bool({ default: createDefaults.comfortNoise }),
    dtmf_type: oneOf(['RFC 2833', 'Inband', 'SIP INFO'], { default: 'RFC 2833' }),
    encode_contact_header_enabled: bool({ default: false }),
    encrypted_media: oneOf(['SRTP'], { nullable: true, default: null }),
    onnet_t38_passthrough_enabled: bool({ default: false }),
    rtcp_settings: object({
      capture_enabled: bool({ default: false }),
      port: oneOf(['rtcp-mux', 'rtp+1'], { default: 'rtp+1' }),
      report_frequency_secs: int({ min: 5, max: 3000, default: 5 }),
    }),
    tags: strings({ default: [] }),
    webhook_api_version: oneOf(['1', '2'], { default: '1' }),
    webhook_event_url: url({ nullable: true, default: null }),
    webhook_event_failover_url: url({ nullable: true, empty: true, default: '' }),
    webhook_timeout_secs: int({ min: 0, max: 30, nullable: true, default: null }),
    ios_push_credential_id: str({ nullable: true, default: null }),
    android_push_credential_id: str({ nullable: true, default: null }),
  };
}

function inboundFields(): Fields {
  return {
    ani_number_format: oneOf(['+E.164', 'E.164', '+E.164-national', 'E.164-national'], {
      default: 'E.164-national',
    }),
    channel_limit: int({ min: 1, nullable: true, default: null }),
    codecs: strings({ default: DEFAULT_CODECS }),
    dnis_number_format: oneOf(['+e164', 'e164', 'national', 'sip_username'], { default: 'e164' }),
    generate_ringback_tone: bool({ default: false }),
    isup_headers_enabled: bool({ default: false }),
    prack_enabled: bool({ default: false }),
    shaken_stir_enabled: bool({ default: false }),
    sip_compact_headers_enabled: bool({ default: true }),
    timeout_1xx_secs: int({ min: 1, max: 120, default: 3 }),
    timeout_2xx_secs: int({ min: 1, max: 600, default: 90 }),
  };
}

function outboundFields(): Fields {
  return {
    ani_override: str({ default: '' }),
    ani_override_type: oneOf(['always', 'normal', 'emergency'], { default: 'always' }),
    call_parking_enabled: bool({ nullable: true, default: false }),
    channel_limit: int({ min: 1, nullable: true, default: null }),
    generate_ringback_tone: bool({ default: false }),
    instant_ringback_enabled: bool({ default: true }),
    localization: str({ nullable: true, pattern: /^[A-Z]{2}$/, what: 'a 2-letter country code', default: 'US' }),
    outbound_voice_profile_id: idRef({ default: null }),
    t38_reinvite_source: oneOf(T38_SOURCES, { default: 'telnyx' }),
  };
}

const with_ = (fields: Fields, extra: Fields): Fields => ({ ...fields, ...extra });

/** The user name rule of CredentialConnection.user_name. */
export const USER_NAME = /^(?=.{0,4}[A-Za-z])[A-Za-z0-9]{4,32}$/;

export const CREDENTIAL_FIELDS: Fields = with_(baseFields({ comfortNoise: false }), {
  user_name: str({
    pattern: USER_NAME,
    what: '4 to 32 letters and digits, with a letter among the first 5',
  }),
  password: str({ min: 8, max: 128 }),
  sip_uri_calling_preference: oneOf(['disabled', 'unrestricted', 'internal'], { default: 'disabled' }),
  webhook_api_version: oneOf(['1', '2', 'texml'], { default: '1' }),
  inbound: object(inboundFields()),
  outbound: object(outboundFields()),
});

const transport = oneOf(['UDP', 'TCP', 'TLS'], { default: 'UDP' });
const region = oneOf(['US', 'Europe', 'Australia'], { default: 'US' });
const receive = (fallback: string | null) =>
  oneOf(['only_my_connections', 'from_anyone'], { nullable: true, default: fallback });

export const IP_FIELDS: Fields = with_(baseFields({ comfortNoise: true }), {
  transport_protocol: transport,
  inbound: object({
    ...inboundFields(),
    default_primary_ip_id: str({ nullable: true, default: null }),
    default_secondary_ip_id: str({ nullable: true, default: null }),
    default_tertiary_ip_id: str({ nullable: true, default: null }),
    default_routing_method: oneOf(['sequential', 'round-robin'], { nullable: true, default: null }),
    sip_region: region,
    sip_subdomain: str({ nullable: true, default: null }),
    sip_subdomain_receive_settings: receive(null),
    timeout_2xx_secs: int({ min: 1, default: 90 }),
  }),
  outbound: object({
    ...outboundFields(),
    ip_authentication_method: oneOf(['tech-prefixp-charge-info', 'token'], { default: 'tech-prefixp-charge-info' }),
    ip_authentication_token: str({ nullable: true, default: null }),
    localization: str({ nullable: true, pattern: /^[A-Z]{2}$/, what: 'a 2-letter country code', default: null }),
    t38_reinvite_source: oneOf(T38_SOURCES, { default: 'customer' }),
    tech_prefix: str({ default: '' }),
  }),
});

export const FQDN_FIELDS: Fields = with_(baseFields({ comfortNoise: true }), {
  transport_protocol: transport,
  microsoft_teams_sbc: bool({ default: false }),
  inbound: object({
    ...inboundFields(),
    channel_limit: int({ min: 1, nullable: true, default: null }),
    default_primary_fqdn_id: idRef({ default: null }),
    default_secondary_fqdn_id: idRef({ default: null }),
    default_tertiary_fqdn_id: idRef({ default: null }),
    default_routing_method: oneOf(['sequential', 'round-robin'], { nullable: true, default: 'sequential' }),
    sip_region: region,
    sip_subdomain: str({ nullable: true, default: null }),
    sip_subdomain_receive_settings: receive('from_anyone'),
  }),
  outbound: object({
    ...outboundFields(),
    ani_override: str({ nullable: true, pattern: /^\+[1-9]\d{1,14}$/, what: 'a +E.164 number', default: null }),
    encrypted_media: oneOf(['SRTP'], { nullable: true, default: null }),
    instant_ringback_enabled: bool({ default: false }),
    ip_authentication_method: oneOf(['credential-authentication', 'ip-authentication'], {
      default: 'ip-authentication',
    }),
    ip_authentication_token: str({ nullable: true, default: null }),
    t38_reinvite_source: oneOf(T38_SOURCES, { default: 'customer' }),
    tech_prefix: str({ nullable: true, default: null }),
    timeout_1xx_secs: int({ min: 1, max: 120, default: 3 }),
    timeout_2xx_secs: int({ min: 1, max: 600, default: 90 }),
  }),
});

/** Read-only fields of an FQDN connection, with the values a new one has. */
export const FQDN_READ_ONLY_DEFAULTS = {
  adjust_dtmf_timestamp: false,
  call_cost_enabled: false,
  ignore_dtmf_duration: false,
  ignore_mark_bit: false,
  noise_suppression: false,
  rtp_pass_codecs_on_stream_change: false,
  send_normalized_timestamps: false,
  third_party_control_enabled: false,
  txt_name: null,
  txt_ttl: null,
  txt_value: null,
};

export const APPLICATION_FIELDS: Fields = {
  active: bool({ default: true }),
  anchorsite_override: oneOf(['"Latency"', '"Chicago, IL"', '"Ashburn, VA"', '"San Jose, CA"'], {
    default: '"Latency"',
  }),
  application_name: str({ min: 1, max: 255 }),
  dtmf_type: oneOf(['RFC 2833', 'Inband', 'SIP INFO'], { default: 'RFC 2833' }),
  first_command_timeout: bool({ default: false }),
  first_command_timeout_secs: int({ min: 1, default: 30 }),
  inbound: object({
    channel_limit: int({ min: 1, nullable: true, default: null }),
    shaken_stir_enabled: bool({ default: false }),
    sip_subdomain: str({ nullable: true, default: null }),
    sip_subdomain_receive_settings: receive('from_anyone'),
  }),
  outbound: object({
    channel_limit: int({ min: 1, nullable: true, default: null }),
    outbound_voice_profile_id: idRef({ default: null }),
  }),
  redact_dtmf_debug_logging: bool({ default: false }),
  tags: strings({ default: [] }),
  webhook_api_version: oneOf(['1', '2'], { default: '1' }),
  webhook_event_url: url(),
  webhook_event_failover_url: url({ nullable: true, empty: true, default: '' }),
  webhook_timeout_secs: int({ min: 0, max: 30, nullable: true, default: null }),
};

export const FIELDS: Record<ConnectionKind, Fields> = {
  credential_connection: CREDENTIAL_FIELDS,
  ip_connection: IP_FIELDS,
  fqdn_connection: FQDN_FIELDS,
  call_control_application: APPLICATION_FIELDS,
};

/** What each kind's create body must have (CreateXRequest.required). */
export const REQUIRED: Record<ConnectionKind, readonly string[]> = {
  credential_connection: ['connection_name', 'user_name', 'password'],
  ip_connection: [],
  fqdn_connection: ['connection_name'],
  call_control_application: ['application_name', 'webhook_event_url'],
};

/** Fields that may be given on create but not changed afterwards (UpdateFqdnConnectionRequest omits these). */
export const CREATE_ONLY: Partial<Record<ConnectionKind, readonly string[]>> = {
  fqdn_connection: ['microsoft_teams_sbc'],
};

const COUNTRY = /^[A-Z]{2}$/;

export const OUTBOUND_VOICE_PROFILE_FIELDS: Fields = {
  name: str({ min: 3, max: 255 }),
  billing_group_id: str({
    nullable: true,
    pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    what: 'a UUID',
    default: null,
  }),
  call_recording: object({
    call_recording_type: oneOf(['all', 'none', 'by_caller_phone_number'], { default: 'none' }),
    call_recording_caller_phone_numbers: strings({
      pattern: /^\+[1-9]\d{1,14}$/,
      what: 'a +E.164 number',
      default: [],
    }),
    call_recording_channels: oneOf(['single', 'dual'], { default: 'single' }),
    call_recording_format: oneOf(['wav', 'mp3'], { default: 'wav' }),
  }),
  concurrent_call_limit: int({ min: 1, nullable: true, default: null }),
  daily_spend_limit: str({
    pattern: /^\d+(\.\d{1,2})?$/,
    what: 'a decimal string such as "100.00"',
    nullable: true,
    default: null,
  }),
  daily_spend_limit_enabled: bool({ default: false }),
  enabled: bool({ default: true }),
  max_destination_rate: num({ min: 0, nullable: true, default: null }),
  service_plan: oneOf(['global'], { default: 'global' }),
  tags: strings({ default: [] }),
  traffic_type: oneOf(['conversational'], { default: 'conversational' }),
  usage_payment_method: oneOf(['rate-deck'], { default: 'rate-deck' }),
  whitelisted_destinations: list(str({ pattern: COUNTRY, what: 'an ISO 3166-1 alpha-2 country code' }), {
    default: ['US', 'CA'],
  }),
};

const port = int({ min: 1, max: 65535, nullable: true, default: 5060 });

export const FQDN_RESOURCE_FIELDS: Fields = {
  connection_id: idRef(),
  dns_record_type: oneOf(['a', 'srv']),
  fqdn: str({
    max: 253,
    pattern: /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/,
    what: 'a fully qualified domain name',
  }),
  port,
};

const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export const IP_RESOURCE_FIELDS: Fields = {
  connection_id: idRef(),
  ip_address: str({ pattern: IPV4, what: 'an IPv4 address' }),
  port,
};

export type { Field };
