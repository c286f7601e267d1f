/** The two parties of a call as the public API names them. */
export type Role = 'customer' | 'agent';

/** AudioHook channel names: `external` is the party outside the organisation (the customer). */
export type AudioHookChannel = 'external' | 'internal';

export const ROLES: readonly Role[] = ['customer', 'agent'];

export function roleOfChannel(channel: AudioHookChannel): Role {
  return channel === 'external' ? 'customer' : 'agent';
}
