/**
 * How the console's routes authenticate (docs/console.md): `cognito` in the stack (API Gateway's Cognito
 * authorizer passes the user's claims), `loopback` under `npm start` (no sign-in, connections from this
 * machine only). The stack sets CONSOLE_AUTH to one, the local runtime to the other, and the console
 * Lambda accepts exactly these.
 */
export const CONSOLE_AUTH_MODES = ['cognito', 'loopback'] as const;
export type ConsoleAuthMode = (typeof CONSOLE_AUTH_MODES)[number];
