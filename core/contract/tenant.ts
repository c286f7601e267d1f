/**
 * The tenant (the feed's `company_marker`) a deployment acts for when nothing names one: the stack's
 * `tenant` default, API_TENANT's default for credential pairs without a tenant, and the console's.
 */
export const DEFAULT_TENANT = 'default';
