/**
 * The parameters every JumpCloud action shares, as JSON Schema pieces (spread into each action's
 * `params.properties`, written `as const` so `defineAction` types them).
 */
export const connectionProperties = {
  connection: {
    type: 'string',
    minLength: 1,
    default: 'jumpcloud',
    description: 'The connection in the config (base_url, org_id, api_key, region, protected_accounts, backup_root).',
  },
  org_id: {
    type: ['string', 'null'],
    pattern: '^([0-9a-fA-F]{24})?$',
    description: "JumpCloud organisation id (x-org-id) for multi-tenant admins; wins over the connection's org_id and JUMPCLOUD_ORG_ID. Empty means not set.",
  },
} as const;

/** `user_id`: the 24-hex id the lookup step returns. */
export const userIdProperty = {
  type: 'string',
  pattern: '^[0-9a-f]{24}$',
  description: 'The JumpCloud user id (24 hexadecimal characters), e.g. {{steps.lookup.output.user.id}}.',
} as const;

/** The connection parameters of a step, with a null `org_id` (an unset variable) read as absent. */
export function connectionOf(params: { connection?: string; org_id?: string | null }): { connection?: string; org_id?: string } {
  return {
    ...(params.connection === undefined ? {} : { connection: params.connection }),
    ...(params.org_id === undefined || params.org_id === null ? {} : { org_id: params.org_id }),
  };
}

/**
 * A list of objects given by id or name (groups, systems, exempt users): each entry a non-blank
 * string. Parameters spread it with their own description (and `minItems` where one is required).
 */
export const refListProperty = { type: 'array', items: { type: 'string', minLength: 1, pattern: '\\S' } } as const;
