/** Where `npm run credentials` keeps local credentials and `npm start` reads them (owner-only, 0600). */
export const DEFAULT_CREDENTIALS_FILE = '.local/credentials.json';
