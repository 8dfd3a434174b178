// The seed's Connections V1 resource (seed 003, /security/connections) as a view of the same store
// the v2 routes use: a V1 read renders a stored v2 connection in V1's field names and forms, and a
// V1 write becomes a v2 create or update through connections.ts, so a V1 client and a v2 client
// always see one connection. The table below is the whole mapping (README: "Connections").
//
//   - A V1 create makes an IP connection (V1's fields are an IP connection's: transport, tech prefix,
//     authorized IPs, SIP region and subdomain), with V1's own defaults from seed 003.
//   - A V1 field the connection's v2 type has no place for is kept beside it (`v1` in the store) and
//     shown only to V1: privacy_zone_enabled and third_party_control_enabled always; transport
//     protocol, SIP region and subdomain settings on credential connections; the SIP URI calling
//     preference on IP and FQDN connections.
//   - A V1 PUT changes only the fields whose value differs from what a V1 read shows, so a client
//     that reads a connection and writes it back whole changes nothing, even where the mapping
//     cannot show a v2 value (a v2 dnis_number_format of "sip_username" reads as null).

import { invalid } from '../../../shared/telnyx/messaging-profile';
import { at, bool, checkField, int, length, oneOf, setAt, text, type Field } from './fields';
import {
  ANCHORSITES,
  ANI_NUMBER_FORMATS,
  DEFAULT_CODECS,
  ROUTING_METHODS,
  SIP_REGIONS,
  SUBDOMAIN_RECEIVE,
  T38_SOURCES,
  codec,
  country,
  subdomain,
  type ConnectionType,
} from './schemas';
import type { StoredConnection, TelnyxObject } from './store';

export interface V1Context {
  /** The IPs of this connection (authentication_type and the IP listing). */
  ips: readonly TelnyxObject[];
  /** Upstream mode: a registration not yet checked is unknown rather than "Not Registered". */
  upstream: boolean;
}

interface V1Field {
  /** V1's type, enum or range (seed 003); absent for read-only fields. */
  spec?: Field;
  /** Where the value lives, per v2 type; a type not listed keeps the value in the `v1` fields. */
  path?: Partial<Record<ConnectionType, string>>;
  toV2?: (value: unknown, pointer: string) => unknown;
  toV1?: (value: unknown) => unknown;
  /** Read-only fields, computed from the stored connection. */
  read?: (c: StoredConnection, ctx: V1Context) => unknown;
  /** Taken on writes but not part of V1's answer (seed 003). */
  writeOnly?: boolean;
  /** Types on which a non-null value is refused (the setting does not apply to them). */
  onlyOn?: ConnectionType;
}

/** An id as a JSON integer when it fits one exactly (V1 gives authorized IP ids as integers). */
export function safeInteger(id: string): number | null {
  return /^\d{1,16}$/.test(id) && Number.isSafeInteger(Number(id)) ? Number(id) : null;
}

const everywhere = (path: string) => ({ credential: path, ip: path, fqdn: path });
const sipTrunks = (path: string) => ({ ip: path, fqdn: path });

/** V1 dnis_number_format: 0 = E.164 ("+e164"), 1 = Strip-1 ("e164"), 2 = Strip-2 ("national"). */
const DNIS = ['+e164', 'e164', 'national'];
const REGISTRATION = ['Not Applicable', 'Not Registered', 'Failed', 'Expired', 'Registered', 'Unregistered'];

const seconds = (max: number): V1Field['spec'] =>
  text(null, (v) =>
    /^\d{1,3}$/.test(v) && Number(v) >= 1 && Number(v) <= max
      ? undefined
      : `must be seconds from 1 to ${max}, as text ("3")`,
  );
const timeout = (path: string, max: number): V1Field => ({
  spec: seconds(max),
  path: everywhere(path),
  toV2: Number,
  toV1: (v) => (typeof v === 'number' ? String(v) : ''),
});
const authorizedIp = (rank: string): V1Field => ({
  spec: int(0, Number.MAX_SAFE_INTEGER, null),
  path: { ip: `/inbound/default_${rank}_ip_id` },
  onlyOn: 'ip',
  // V1's sample sends 0 for "none".
  toV2: (v) => (v === 0 || v === null ? null : String(v)),
  toV1: (v) => (typeof v === 'string' ? safeInteger(v) : null),
});
const flag = (path: string | undefined, fallback = false): V1Field => ({
  spec: bool(fallback),
  ...(path !== undefined && { path: everywhere(path) }),
});
const at2 = (spec: Field, path: string): V1Field => ({ spec, path: everywhere(path) });

export const V1_FIELDS: Record<string, V1Field> = {
  id: { read: (c) => c.data.id },
  connection_name: at2(text(null, length(1, 255)), '/connection_name'),
  tech_prefix: { read: (c) => (c.type === 'credential' ? '' : (at(c.data, '/outbound/tech_prefix') ?? '')) },
  // Unspecified = 1, IP Auth = 2, Credential Auth = 3. V1 has no number for FQDN authentication.
  authentication_type: {
    read: (c, ctx) => (c.type === 'credential' ? 3 : c.type === 'ip' && ctx.ips.length > 0 ? 2 : 1),
  },
  active: flag('/active', true),
  dnis_number_format: {
    spec: int(0, 2, 1),
    path: everywhere('/inbound/dnis_number_format'),
    toV2: (v) => DNIS[v as number],
    toV1: (v) => (DNIS.includes(v as string) ? DNIS.indexOf(v as string) : null),
  },
  timeout_1xx: timeout('/inbound/timeout_1xx_secs', 20),
  timeout_2xx: timeout('/inbound/timeout_2xx_secs', 600),
  forward_only: { read: () => false },
  ani_override_type: at2(oneOf(['always', 'normal', 'emergency'], 'always'), '/outbound/ani_override_type'),
  ani_override: at2(text('', length(0, 32)), '/outbound/ani_override'),
  registration_status: {
    read: (c, ctx) => {
      if (c.type !== 'credential') return 0;
      if (c.registration !== null) return Math.max(0, REGISTRATION.indexOf(c.registration.status));
      return ctx.upstream ? 0 : 1;
    },
  },
  last_registered_ip: { read: (c) => c.registration?.ip_address ?? null },
  registration_status_updated_at: { read: (c) => c.registration?.last_registration ?? null },
  sip_compact_headers_enabled: flag('/inbound/sip_compact_headers_enabled', true),
  transport_protocol: { spec: oneOf(['UDP', 'TLS', 'TCP'], 'UDP'), path: sipTrunks('/transport_protocol') },
  third_party_control_enabled: flag(undefined),
  privacy_zone_enabled: flag(undefined),
  codecs: at2({ type: 'strings', default: DEFAULT_CODECS, check: codec, unique: true }, '/inbound/codecs'),
  prack_enabled: flag('/inbound/prack_enabled'),
  default_routing_method: at2(oneOf(ROUTING_METHODS, null), '/inbound/default_routing_method'),
  default_primary_authorized_ip_id: authorizedIp('primary'),
  default_secondary_authorized_ip_id: authorizedIp('secondary'),
  default_tertiary_authorized_ip_id: authorizedIp('tertiary'),
  anchorsite_override: at2(oneOf(ANCHORSITES.slice(0, 9), 'Latency'), '/anchorsite_override'),
  encrypted_media: {
    spec: oneOf(['SRTP', 'ZRTP'], null),
    path: everywhere('/encrypted_media'),
    toV2: (v, pointer) => {
      if (v === 'ZRTP')
        throw invalid(pointer, 'ZRTP is not offered by Telnyx v2, which this store follows; use SRTP or null.');
      return v;
    },
  },
  call_failure_check_enabled: { read: (c) => c.v1.call_failure_check_enabled ?? false },
  instant_ringback_enabled: flag('/outbound/instant_ringback_enabled', true),
  t38_reinvite_source: at2(oneOf(T38_SOURCES, 'telnyx'), '/outbound/t38_reinvite_source'),
  ani_number_format: at2(oneOf(ANI_NUMBER_FORMATS, 'E.164-national'), '/inbound/ani_number_format'),
  isup_headers_enabled: flag('/inbound/isup_headers_enabled'),
  encode_contact_header_enabled: flag('/encode_contact_header_enabled'),
  inbound_generate_ringback_tone: flag('/inbound/generate_ringback_tone'),
  outbound_generate_ringback_tone: flag('/outbound/generate_ringback_tone'),
  // Deprecated in V1: always true, and ignored on writes.
  rtcp_report_enabled: { read: () => true },
  rtcp_report_frequency_seconds: at2(int(5, 3000, 5), '/rtcp_settings/report_frequency_secs'),
  rtcp_port: at2(oneOf(['rtcp-mux', 'rtp+1'], 'rtp+1'), '/rtcp_settings/port'),
  dtmf_type: at2(oneOf(['RFC 2833', 'Inband', 'SIP INFO'], 'RFC 2833'), '/dtmf_type'),
  outbound_localization: at2(text(null, country), '/outbound/localization'),
  inbound_channel_limit: at2(int(1, 100_000, null), '/inbound/channel_limit'),
  outbound_channel_limit: at2(int(1, 100_000, null), '/outbound/channel_limit'),
  onnet_t38_passthrough_enabled: flag('/onnet_t38_passthrough_enabled'),
  sip_region: { spec: oneOf(SIP_REGIONS, 'US'), path: sipTrunks('/inbound/sip_region') },
  sip_uri_calling_preference: {
    spec: oneOf(['disabled', 'unrestricted', 'internal'], 'disabled'),
    path: { credential: '/sip_uri_calling_preference' },
  },
  sip_subdomain: { spec: text(null, subdomain), path: sipTrunks('/inbound/sip_subdomain') },
  sip_subdomain_receive_settings: {
    spec: oneOf(SUBDOMAIN_RECEIVE, null),
    path: sipTrunks('/inbound/sip_subdomain_receive_settings'),
  },
  webhook_api_version: at2(oneOf(['1', '2'], '1'), '/webhook_api_version'),
  outbound_call_parking_enabled: { ...flag('/outbound/call_parking_enabled'), writeOnly: true },
};

/** Seed 003's defaults for a create (its request schema); fields without one take v2's default. */
export const V1_CREATE_DEFAULTS: Record<string, unknown> = {
  active: true,
  dnis_number_format: 1,
  timeout_1xx: '3',
  timeout_2xx: '90',
  ani_override_type: 'always',
  ani_override: '',
  sip_compact_headers_enabled: true,
  transport_protocol: 'UDP',
  third_party_control_enabled: false,
  privacy_zone_enabled: false,
  codecs: DEFAULT_CODECS,
  prack_enabled: false,
  instant_ringback_enabled: true,
  t38_reinvite_source: 'telnyx',
  ani_number_format: 'E.164-national',
  isup_headers_enabled: false,
  encode_contact_header_enabled: false,
  inbound_generate_ringback_tone: false,
  outbound_generate_ringback_tone: false,
  // The request schema says 5 (and, in prose, 10); 5 is also Telnyx v2's default.
  rtcp_report_frequency_seconds: 5,
  rtcp_port: 'rtp+1',
  dtmf_type: 'RFC 2833',
  outbound_localization: null,
  inbound_channel_limit: null,
  outbound_channel_limit: null,
  onnet_t38_passthrough_enabled: false,
  sip_region: 'US',
  sip_uri_calling_preference: 'disabled',
  outbound_call_parking_enabled: false,
  webhook_api_version: '1',
};

function readField(c: StoredConnection, name: string, field: V1Field, ctx: V1Context): unknown {
  if (field.read !== undefined) return field.read(c, ctx);
  const path = field.path?.[c.type];
  if (path === undefined) return c.v1[name] ?? V1_CREATE_DEFAULTS[name] ?? null;
  const value = at(c.data, path);
  return field.toV1 !== undefined ? field.toV1(value) : (value ?? null);
}

/** A stored connection as V1 shows it (seed 003's response fields, in its order), plus `edge`. */
export function toV1(c: StoredConnection, ctx: V1Context, { writeOnly = false } = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(V1_FIELDS)) {
    if (field.writeOnly && !writeOnly) continue;
    out[name] = readField(c, name, field, ctx);
  }
  out.edge = c.edge;
  return out;
}

/** V1 takes some numbers as text and some flags as 0/1; both forms are accepted. */
function normalize(name: string, value: unknown): unknown {
  if ((name === 'timeout_1xx' || name === 'timeout_2xx') && typeof value === 'number') return String(value);
  if (name === 'onnet_t38_passthrough_enabled' && (value === 0 || value === 1)) return value === 1;
  return value;
}

export interface V2Write {
  /** The v2 body (create) or patch (update), `edge` included when the V1 body had it. */
  body: Record<string, unknown>;
  /** The connection's V1-only fields after the write. */
  v1: Record<string, unknown>;
}

/**
 * A V1 body as a v2 write onto a connection of `type`. For an update, `current` is the connection's
 * V1 view: a field given with the value it already shows is left alone.
 */
export function fromV1(
  type: ConnectionType,
  body: Record<string, unknown>,
  current: Record<string, unknown> | undefined,
  v1: Record<string, unknown>,
): V2Write {
  const out: V2Write = { body: {}, v1: { ...v1 } };
  for (const [name, raw] of Object.entries(body)) {
    if (name === 'edge') {
      out.body.edge = raw;
      continue;
    }
    const field = V1_FIELDS[name];
    if (field?.spec === undefined) continue; // unknown or read-only, ignored as Telnyx ignores them
    if (current !== undefined && JSON.stringify(raw) === JSON.stringify(current[name])) continue;
    const pointer = `/${name}`;
    const value = checkField(field.spec, normalize(name, raw), pointer);
    const path = field.path?.[type];
    if (path !== undefined) {
      setAt(out.body, path, field.toV2 !== undefined ? field.toV2(value, pointer) : value);
    } else if (field.onlyOn !== undefined && value !== null && value !== 0) {
      throw invalid(pointer, `${name} applies only to ${field.onlyOn.toUpperCase()}-authenticated connections.`);
    } else if (field.onlyOn === undefined) {
      out.v1[name] = value;
    }
  }
  return out;
}

/** A v2 pointer (from a check or from Telnyx) in V1's terms, where the mapping has one. */
export function v1Pointer(type: ConnectionType, pointer: string): string {
  for (const [name, field] of Object.entries(V1_FIELDS)) {
    const path = field.path?.[type];
    if (path !== undefined && (pointer === path || pointer.startsWith(`${path}/`))) {
      return `/${name}${pointer.slice(path.length)}`;
    }
  }
  return pointer;
}
