// The resources that hang off connections: FQDNs (of FQDN connections), IPs (of IP connections)
// and outbound voice profiles (named by connections' outbound settings), with Telnyx's defaults
// and checks (schema.ts).

import type { SimContext } from '../context';
import { applyFields, defaultsOf, invalidField, requireFields, type Fields } from '../api/fields';
import { FQDN_RESOURCE_FIELDS, IP_RESOURCE_FIELDS, OUTBOUND_VOICE_PROFILE_FIELDS } from './schema';
import { findResource, listResources, newResourceId, requireResource, saveResource, type Resource } from './store';

export type ChildKind = 'fqdn' | 'ip' | 'outbound_voice_profile';

interface ChildRules {
  what: string;
  fields: Fields;
  required: readonly string[];
  /** Required on update as well (UpdateIpRequest requires ip_address; UpdateOutboundVoiceProfileRequest, name). */
  requiredOnUpdate: readonly string[];
  /** The connection kind `connection_id` must name, if the resource has one. */
  parent?: 'fqdn_connection' | 'ip_connection';
}

export const CHILD_RULES: Record<ChildKind, ChildRules> = {
  fqdn: {
    what: 'FQDN',
    fields: FQDN_RESOURCE_FIELDS,
    required: ['connection_id', 'dns_record_type', 'fqdn'],
    requiredOnUpdate: [],
    parent: 'fqdn_connection',
  },
  ip: {
    what: 'IP',
    fields: IP_RESOURCE_FIELDS,
    required: ['ip_address'],
    requiredOnUpdate: ['ip_address'],
    parent: 'ip_connection',
  },
  outbound_voice_profile: {
    what: 'outbound voice profile',
    fields: OUTBOUND_VOICE_PROFILE_FIELDS,
    required: ['name'],
    requiredOnUpdate: ['name'],
  },
};

function finish(ctx: SimContext, kind: ChildKind, resource: Resource): Resource {
  const rules = CHILD_RULES[kind];
  if (rules.parent !== undefined) {
    const parentId = resource.connection_id as string | null | undefined;
    if (parentId && !findResource(ctx, parentId, [rules.parent])) {
      throw invalidField('/connection_id', `No ${rules.parent.replace('_', ' ')} with id ${parentId}.`);
    }
    // A null port is Telnyx's default port.
    if (resource.port === null || resource.port === undefined) resource.port = 5060;
    if (resource.connection_id === undefined) resource.connection_id = null;
  }
  saveResource(ctx, resource);
  return resource;
}

export function createChild(ctx: SimContext, kind: ChildKind, body: Record<string, unknown>, id = newResourceId()) {
  const rules = CHILD_RULES[kind];
  requireFields(body, rules.required);
  const now = ctx.iso();
  const fields = applyFields(rules.fields, body, defaultsOf(rules.fields));
  return finish(ctx, kind, { id, record_type: kind, ...fields, created_at: now, updated_at: now });
}

export function requireChild(ctx: SimContext, kind: ChildKind, id: string): Resource {
  return requireResource(ctx, id, [kind], CHILD_RULES[kind].what);
}

export function updateChild(ctx: SimContext, kind: ChildKind, id: string, body: Record<string, unknown>) {
  const current = requireChild(ctx, kind, id);
  requireFields(body, CHILD_RULES[kind].requiredOnUpdate);
  const updated = applyFields(CHILD_RULES[kind].fields, body, current) as Resource;
  updated.updated_at = ctx.iso();
  return finish(ctx, kind, updated);
}

/** An outbound voice profile with the number of connections and applications that use it. */
export function presentProfile(ctx: SimContext, profile: Resource): Resource {
  const count = listResources(ctx, [
    'credential_connection',
    'ip_connection',
    'fqdn_connection',
    'call_control_application',
  ]).filter(
    (c) => (c.outbound as { outbound_voice_profile_id?: string } | undefined)?.outbound_voice_profile_id === profile.id,
  ).length;
  return { ...profile, connections_count: count };
}
