import { existsSync, readFileSync } from 'node:fs';
import { findRuntimeEnv, STAND_INS_MARKER } from './runtime-env.ts';

/**
 * Where an operator command finds its settings: `--env-file PATH` when given; otherwise the process
 * environment; and when that names none of `keys` (and `findRunning` is not false), the running
 * `npm start`'s runtime file, so the commands work locally without flags (with the stand-ins' dummy
 * credentials, which the file never holds).
 */
export function loadCommandEnv(
  command: string,
  envFile: string | undefined,
  keys: readonly string[],
  options: { findRunning?: boolean } = {},
): void {
  if (envFile && !existsSync(envFile)) throw new UsageError(`${envFile} does not exist`);
  const findRunning = options.findRunning ?? true;
  const file = envFile ?? (!findRunning || keys.some((k) => process.env[k]) ? undefined : findRuntimeEnv());
  if (!file) return;
  loadEnvFile(file);
  if (!envFile) process.stderr.write(`${command}: using the running npm start (${file})\n`);
  if (process.env[STAND_INS_MARKER] === 'true') Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
}

/**
 * Loads `KEY=value` lines, or a JSON object of strings: what `aws lambda get-function-configuration
 * --query Environment.Variables` prints, so a deployed function's settings can be used as they are.
 * Variables already set win, as with node's own env files.
 */
export function loadEnvFile(path: string): void {
  if (!existsSync(path)) throw new UsageError(`${path} does not exist`);
  const text = readFileSync(path, 'utf8');
  if (!/^\s*[[{]/.test(text)) {
    process.loadEnvFile(path);
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`${path} looks like JSON but is not valid JSON`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`${path} must be a JSON object of strings`);
  const entries = Object.entries(value);
  const wrong = entries.find(([, v]) => typeof v !== 'string');
  if (wrong) throw new UsageError(`${path}: ${wrong[0]} must be a string`);
  for (const [k, v] of entries) process.env[k] ??= v as string;
}

/** An endpoint on this machine: loopback, or a `*.localhost` name such as the local SQS stand-in's queue URLs. */
export function isLocalUrl(raw: string): boolean {
  try {
    const host = new URL(raw).hostname;
    return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

/** Exit codes shared by the operator commands, so scripts can rely on them. */
export const EXIT = {
  ok: 0,
  /** The command ran and found a problem (failed deliveries, a failing check, nothing found). */
  problem: 1,
  /** Bad flags or configuration: nothing was done. */
  usage: 2,
  /** A dependency (queue, Secrets Manager, the target) could not be reached at all. */
  unreachable: 3,
} as const;

export class UsageError extends Error {}

/** A whole number flag within bounds, or a UsageError naming the flag. */
export function intFlag(name: string, raw: string | undefined, def: number, min: number, max: number): number {
  if (raw === undefined) return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return n;
}

/**
 * Runs node's parseArgs: an unknown or malformed flag exits with EXIT.usage and one line, not a stack
 * trace; `--help` prints `help` and exits 0.
 */
export function parseFlags<T extends { values: { help?: boolean | undefined } }>(parse: () => T, help: string): T {
  let parsed: T;
  try {
    parsed = parse();
  } catch (error) {
    process.stderr.write(`${(error as Error).message} (--help lists the options)\n`);
    process.exit(EXIT.usage);
  }
  if (parsed.values.help) {
    process.stdout.write(help);
    process.exit(EXIT.ok);
  }
  return parsed;
}
