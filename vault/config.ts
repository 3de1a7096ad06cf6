import path from 'node:path';
import { z } from 'zod';

/** The class of the journal's seals: kept without limit, never disposed of. */
export const SEAL_CLASS = 'sceau-journal';

export interface RetentionSettings {
  /** Years kept when the class has no rule of its own (10: commercial records). */
  defaultYears: number;
  /** Years per document class; null keeps without limit. */
  byClass: Record<string, number | null>;
}

export interface PreservationSettings {
  /** Re-extend when the newest timestamp's TSA certificate expires within this many days. */
  horizonDays: number;
  /** Hash and key algorithms declared weak (e.g. SHA-1, RSA-1024): re-extend at once. */
  weakAlgorithms: string[];
  /** Imprint of the new document timestamps. */
  hash: 'SHA-256' | 'SHA-384' | 'SHA-512';
}

export interface VaultSettings {
  retention: RetentionSettings;
  preservation: PreservationSettings;
}

export const DEFAULT_SETTINGS: VaultSettings = {
  retention: { defaultYears: 10, byClass: { [SEAL_CLASS]: null } },
  preservation: { horizonDays: 180, weakAlgorithms: ['SHA-1', 'MD5', 'RSA-1024'], hash: 'SHA-512' },
};

export const DOCUMENT_CLASS = /^[a-z][a-z0-9-]{1,39}$/;

const classRetention = z
  .string()
  .default('')
  .transform((text, ctx) => {
    const out: Record<string, number | null> = {};
    for (const item of text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const m = /^([a-z][a-z0-9-]{1,39})=(\d{1,3}|illimitee)$/.exec(item);
      if (!m) {
        ctx.addIssue({ code: 'custom', message: `« ${item} » : classe=années attendu (ex. contrat=10,preuve=30 ou sceau=illimitee)` });
        return z.NEVER;
      }
      out[m[1]!] = m[2] === 'illimitee' ? null : Number(m[2]);
    }
    return out;
  });

/**
 * The vault's settings from the environment (VAULT_*), part of config/env.ts's one schema.
 */
export const VaultEnvSchema = z.object({
  VAULT_DIR: z.string().optional(),
  VAULT_SECOND_DIR: z.string().optional(),
  VAULT_RETENTION_YEARS: z.coerce.number().int().min(1).max(200).default(10),
  VAULT_CLASS_RETENTION: classRetention,
  // NF Z42-013 asks for a seal at least daily.
  VAULT_SEAL_PERIOD_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60, 'au plus 1440 minutes : un scellement par jour au moins')
    .default(60),
  VAULT_AUDIT_PERIOD_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 366)
    .default(24 * 7),
  VAULT_PRESERVATION_PERIOD_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 366)
    .default(24),
  VAULT_PRESERVATION_HORIZON_DAYS: z.coerce.number().int().min(1).max(3650).default(180),
  VAULT_WEAK_ALGORITHMS: z
    .string()
    .default('SHA-1,MD5,RSA-1024')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim().toUpperCase())
        .filter(Boolean),
    ),
  VAULT_TSA_URL: z.string().url().optional(),
  // Whose archivists see the whole vault through the API (the others see their organisation's documents).
  VAULT_OPERATOR_ORGANISATION: z.string().min(1).optional(),
  VAULT_TRUST_ANCHORS: z
    .string()
    .optional()
    .transform((v) =>
      v
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
    ),
});

export type VaultEnv = z.infer<typeof VaultEnvSchema>;

export function settingsFromEnv(env: VaultEnv): VaultSettings {
  return {
    retention: { defaultYears: env.VAULT_RETENTION_YEARS, byClass: { [SEAL_CLASS]: null, ...env.VAULT_CLASS_RETENTION } },
    preservation: { ...DEFAULT_SETTINGS.preservation, horizonDays: env.VAULT_PRESERVATION_HORIZON_DAYS, weakAlgorithms: env.VAULT_WEAK_ALGORITHMS },
  };
}

/** The storage locations: VAULT_DIR (default DATA_DIR/vault) and an optional second copy. */
export function locationsFromEnv(env: VaultEnv, dataDir: string): string[] {
  const first = path.resolve(env.VAULT_DIR ?? path.join(dataDir, 'vault'));
  return env.VAULT_SECOND_DIR ? [first, path.resolve(env.VAULT_SECOND_DIR)] : [first];
}

/** Retention end for a class deposited at `depositedAt`; null keeps without limit. */
export function retentionEnd(settings: RetentionSettings, documentClass: string, depositedAt: Date): Date | null {
  const years = documentClass in settings.byClass ? settings.byClass[documentClass]! : settings.defaultYears;
  if (years === null) return null;
  const end = new Date(depositedAt);
  end.setUTCFullYear(end.getUTCFullYear() + years);
  return end;
}
