/**
 * Where the AudioHook gateway listens (docs/architecture.md). The container's port mappings, the load
 * balancer's target group and health check, the control clients' security group rule and the gateway's
 * own defaults all take these values from here.
 */

/** AudioHook WebSocket listener; also serves the health endpoints. */
export const GATEWAY_PORT = 8080;

/** Private control endpoint the start/stop Lambdas call (never behind the load balancer). */
export const CONTROL_PORT = 8081;

/** WebSocket path of the AudioHook endpoint: Genesys' connection URI is `wss://<host>/audiohook/ws`. */
export const AUDIOHOOK_PATH = '/audiohook/ws';

/** Readiness: 200 while the task accepts new calls, 503 while it drains (the load balancer's check). */
export const HEALTH_PATH = '/health';

/** Liveness: 200 while the process answers, draining or not (the container's health check). */
export const LIVE_PATH = '/live';
