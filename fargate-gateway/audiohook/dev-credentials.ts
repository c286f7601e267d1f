/**
 * Development credentials, used only when no AudioHook key is configured and NODE_ENV is not
 * `production`. They are printed at start so the call simulator (which defaults to them) can connect.
 */
export const DEV_AUDIOHOOK_API_KEY = 'dev-audiohook-api-key';
/** base64 of the 32 ASCII bytes `dev-audiohook-client-secret-0001`. */
export const DEV_AUDIOHOOK_CLIENT_SECRET = Buffer.from('dev-audiohook-client-secret-0001').toString('base64');
