import { z } from 'zod';
import { PasseportError } from '../errors/index.ts';
import path from 'node:path';
import { DEFAULT_DEADLINES } from '../domain/schedule-deadlines.ts';
import { DEFAULT_CEREMONY_SETTINGS } from '../domain/ceremony.ts';
import { VaultEnvSchema } from '../vault/config.ts';

/** The project's root folder: a relative DATA_DIR is taken from here, whatever the current directory. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

/** Every setting the engine reads from the environment, parsed once at start. */
const durationSeconds = z.coerce.number().int().positive();
const offsetsSeconds = (defaults: number[]) =>
  z
    .string()
    .default(defaults.join(','))
    .transform((v) => v.split(',').filter(Boolean).map(Number))
    .pipe(z.array(z.number().int().positive()));

const EnvSchema = z.object({
  DATA_DIR: z.string().default('data'),
  DATABASE_URL: z.string().url().optional(),
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TLS_CERT: z.string().optional(),
  TEMPORAL_TLS_KEY: z.string().optional(),
  TEMPORAL_TLS_CA: z.string().optional(),
  TEMPORAL_TASK_QUEUE: z.string().default('passeport'),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  TEMPORAL_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.string().url().optional(),
  DEMO_MODE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DECISION_DEADLINE_SECONDS: durationSeconds.default(DEFAULT_DEADLINES.decisionSeconds),
  REMINDER_OFFSETS_SECONDS: offsetsSeconds(DEFAULT_DEADLINES.reminderOffsetsSeconds),
  /** How long an offer waits for its three signatures (30 days), and when the signer whose turn it is gets reminded. */
  OFFER_VALIDITY_SECONDS: durationSeconds.default(DEFAULT_CEREMONY_SETTINGS.offerSeconds),
  SIGNING_REMINDER_OFFSETS_SECONDS: offsetsSeconds(DEFAULT_CEREMONY_SETTINGS.reminderOffsetsSeconds),
  /** Another RFC 3161 service for the ceremony's timestamps; default: the engine's own TSA unit, in the worker. */
  TSA_URL: z.string().url().optional(),
  /** The PKCS#11 token holding the server-side seal keys (banks, platform), and its PIN (default: DATA_DIR/seal-pin). */
  PASSEPORT_SEAL_PIN: z.string().min(4).optional(),
  PKCS11_MODULE: z.string().default('/usr/lib/softhsm/libsofthsm2.so'),
  /** Behind a reverse proxy: 'true', or the proxies' addresses/CIDR ranges (comma-separated); 'false' = none. */
  TRUST_PROXY: z.string().default('false'),
  /** The session cookie's Secure flag: 'auto' (when the request came over https), 'always', 'never'. */
  SECURE_COOKIES: z.enum(['auto', 'always', 'never'], { error: 'auto, always ou never' }).default('auto'),
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(120),
  SESSION_MAX_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 7)
    .default(12),
  /** Where a worker serves the Temporal SDK's Prometheus metrics; empty = not served. */
  WORKER_METRICS_ADDRESS: z
    .string()
    .regex(/^$|^[^\s:]+:\d{1,5}$/, 'host:port attendu, par exemple 127.0.0.1:9464 (vide : pas de métriques)')
    .default('127.0.0.1:9464'),
  // The coffre-fort's settings (VAULT_*), documented in docs/vault.md.
  ...VaultEnvSchema.shape,
});

export type Env = z.infer<typeof EnvSchema>;

/** A setting that does not parse; `message` names every variable at fault. */
export class ConfigError extends PasseportError<'CONFIG_INVALID'> {
  constructor(message: string) {
    super('CONFIG_INVALID', message);
  }
}

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Configuration invalide :\n${lines.join('\n')}`);
  }
  return { ...parsed.data, DATA_DIR: path.resolve(PROJECT_ROOT, parsed.data.DATA_DIR) };
}

/**
 * The address the engine's public services are reached at, written into every certificate
 * (CRL, OCSP, CA certificates): PUBLIC_URL, or the API's own address when it is unset.
 */
export function publicUrl(env: Pick<Env, 'PUBLIC_URL' | 'API_HOST' | 'API_PORT'>): string {
  return env.PUBLIC_URL ?? `http://${env.API_HOST}:${env.API_PORT}`;
}

/**
 * The port `passeport pki serve` listens on by default, so that the URLs in the certificates
 * reach it: PUBLIC_URL's port when it names one, else API_PORT (behind a proxy that forwards
 * PUBLIC_URL's standard port to it, or the default address http://127.0.0.1:3000).
 */
export function publicServicesPort(env: Pick<Env, 'PUBLIC_URL' | 'API_PORT'>): number {
  const port = env.PUBLIC_URL ? new URL(env.PUBLIC_URL).port : '';
  return port === '' ? env.API_PORT : Number(port);
}

/** For commands: the settings, or null after printing what is wrong (the caller exits with 2). */
export function loadEnvOrReport(source: NodeJS.ProcessEnv = process.env): Env | null {
  try {
    return loadEnv(source);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return null;
  }
}
