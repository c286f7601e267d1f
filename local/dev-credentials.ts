/**
 * Development credentials for the public API, used by `npm start` when API_ID / API_SECRET are unset
 * (and printed at start), and by the call simulator's `--start` by default.
 */
export const DEV_API_ID = 'dev-api-id';
export const DEV_API_SECRET = 'dev-api-secret';
