import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PkiError } from './errors.ts';

/**
 * CA and service private keys are stored sealed: AES-256-GCM under a key derived by
 * scrypt from a master secret (PASSEPORT_CA_SECRET, else `<DATA_DIR>/ca-secret`).
 */
export interface SecretOptions {
  /** The master secret itself (wins over the environment and the file). */
  secret?: string;
  /** Where `ca-secret` lives when PASSEPORT_CA_SECRET is unset. */
  dataDir?: string;
}

export const SECRET_FILE = 'ca-secret';

function secretFile(options: SecretOptions): string {
  return path.join(path.resolve(options.dataDir ?? process.env.DATA_DIR ?? 'data'), SECRET_FILE);
}

/** Returns the master secret, creating the file (mode 0600) when `create` and none exists. */
export function resolveMasterSecret(options: SecretOptions = {}, create = false): string {
  const given = options.secret ?? process.env.PASSEPORT_CA_SECRET;
  if (given !== undefined && given !== '') {
    if (given.length < 16) throw new PkiError('WEAK_CA_SECRET', 'Le secret maître des AC (PASSEPORT_CA_SECRET) doit compter au moins 16 caractères.');
    return given;
  }
  const file = secretFile(options);
  if (fs.existsSync(file)) {
    const text = fs.readFileSync(file, 'utf8').trim();
    if (text.length < 16) throw new PkiError('WEAK_CA_SECRET', `Le fichier de secret maître ${file} est vide ou trop court.`);
    return text;
  }
  if (!create) {
    throw new PkiError('NO_CA_SECRET', `Secret maître des AC introuvable : définir PASSEPORT_CA_SECRET ou lancer « passeport pki init » (fichier ${file}).`);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const secret = crypto.randomBytes(32).toString('base64url');
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return secret;
}

export interface SealedKey {
  ciphertext: Uint8Array;
  salt: Uint8Array;
  iv: Uint8Array;
  tag: Uint8Array;
}

const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const derived = new Map<string, Buffer>();

async function deriveKey(secret: string, salt: Uint8Array): Promise<Buffer> {
  const cacheKey = crypto.createHash('sha256').update(secret).update(salt).digest('hex');
  const cached = derived.get(cacheKey);
  if (cached) return cached;
  const key = await new Promise<Buffer>((resolve, reject) => crypto.scrypt(secret, salt, 32, SCRYPT, (err, out) => (err ? reject(err) : resolve(out))));
  derived.set(cacheKey, key);
  return key;
}

/** `label` (the CA or service name) is bound as associated data: sealed keys cannot be swapped. */
export async function sealPrivateKey(key: crypto.KeyObject, secret: string, label: string): Promise<SealedKey> {
  const salt = crypto.randomBytes(16);
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', await deriveKey(secret, salt), iv);
  cipher.setAAD(Buffer.from(label, 'utf8'));
  const plain = key.export({ format: 'der', type: 'pkcs8' });
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  plain.fill(0);
  return { ciphertext, salt, iv, tag: cipher.getAuthTag() };
}

export async function unsealPrivateKey(sealed: SealedKey, secret: string, label: string): Promise<crypto.KeyObject> {
  const decipher = crypto.createDecipheriv('aes-256-gcm', await deriveKey(secret, sealed.salt), sealed.iv);
  decipher.setAAD(Buffer.from(label, 'utf8'));
  decipher.setAuthTag(sealed.tag);
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  } catch (cause) {
    throw new PkiError('CA_KEY_UNSEAL_FAILED', `La clé privée « ${label} » ne se déchiffre pas : secret maître des AC incorrect ou donnée altérée.`, { cause });
  }
  try {
    return crypto.createPrivateKey({ key: plain, format: 'der', type: 'pkcs8' });
  } finally {
    plain.fill(0);
  }
}
