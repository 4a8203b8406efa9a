/** Response shapes (TypeScript interfaces have no runtime metadata, so they are written out here). */
import { ErrorCode } from '@opsplane/errors';
const str = { type: 'string' };
const strNull = { type: 'string', nullable: true };
const time = { type: 'string', format: 'date-time' };
const timeNull = { type: 'string', format: 'date-time', nullable: true };
const strArr = { type: 'array', items: str };

export const RESPONSE_SCHEMAS: Record<string, Record<string, unknown>> = {
  ErrorEnvelope: {
    type: 'object',
    required: ['error', 'code', 'trace_id'],
    properties: {
      error: str,
      code: {
        type: 'string',
        enum: Object.values(ErrorCode),
      },
      trace_id: str,
      details: { oneOf: [{ type: 'array', items: { type: 'object', properties: { field: str, message: str } } }, { type: 'object' }] },
    },
  },
  Incident: {
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid' },
      reference: { type: 'string', example: 'INC-00000001' },
      title: str,
      description: str,
      status: { type: 'string', enum: ['triggered', 'open', 'acknowledged', 'investigating', 'resolved', 'closed', 'reopened'] },
      severity: { type: 'string', enum: ['P1', 'P2', 'P3', 'P4'] },
      priority: { type: 'string', enum: ['critical', 'high', 'medium', 'low'] },
      criticality: { type: 'string', enum: ['critical', 'major', 'moderate', 'minor'], nullable: true },
      urgency: { type: 'string', enum: ['critical', 'high', 'medium', 'low'], nullable: true },
      source: str,
      assigned_to: strNull,
      affected_services: strArr,
      tags: strArr,
      ci_ids: strArr,
      resolution_notes: strNull,
      resolved_by: strNull,
      created_by: strNull,
      created_at: time,
      updated_at: time,
      triggered_at: timeNull,
      opened_at: timeNull,
      acknowledged_at: timeNull,
      investigating_at: timeNull,
      resolved_at: timeNull,
      closed_at: timeNull,
      reopened_at: timeNull,
    },
  },
  IncidentPage: {
    type: 'object',
    properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Incident' } }, total: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' } },
  },
  TimelineEntry: {
    type: 'object',
    properties: {
      id: str,
      incident_id: str,
      type: { type: 'string', enum: ['created', 'updated', 'status_changed', 'comment'] },
      actor_id: strNull,
      actor_email: strNull,
      actor_type: { type: 'string', enum: ['user', 'api_token', 'system'] },
      changes: { type: 'object', additionalProperties: { type: 'object', properties: { from: {}, to: {} } } },
      message: strNull,
      trace_id: strNull,
      created_at: time,
    },
  },
  Comment: {
    type: 'object',
    properties: { id: str, incident_id: str, body: str, author_id: strNull, author_email: strNull, created_at: time },
  },
  TokenPair: {
    type: 'object',
    properties: {
      token: str,
      refresh_token: str,
      token_type: { type: 'string', enum: ['Bearer'] },
      expires_in: { type: 'integer' },
      user: { type: 'object', properties: { id: str, email: str, name: str, role: { type: 'string', enum: ['owner', 'admin', 'member', 'viewer'] } } },
    },
  },
  ApiToken: {
    type: 'object',
    properties: {
      id: str,
      name: str,
      token_prefix: str,
      permissions: { type: 'array', items: { type: 'string', enum: ['read', 'write'] } },
      scope: str,
      expires_at: timeNull,
      created_at: time,
      last_used_at: timeNull,
      revoked_at: timeNull,
      status: { type: 'string', enum: ['active', 'revoked', 'expired'] },
    },
  },
  Me: {
    type: 'object',
    properties: {
      user: {
        type: 'object',
        properties: {
          id: str,
          email: str,
          name: str,
          organization_id: str,
          role: str,
          is_api_token_auth: { type: 'boolean' },
          token_permissions: strArr,
          token_scope: str,
        },
      },
      auth_method: { type: 'string', enum: ['jwt', 'api_token'] },
    },
  },
};

/** `{"data": <schema>}` */
export function envelopeOf(name: string) {
  return { type: 'object', properties: { data: { $ref: `#/components/schemas/${name}` } } };
}
