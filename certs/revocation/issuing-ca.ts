import type { PkiStore } from '../stores.ts';
import type { Signer } from '../types.ts';
import { loadCa } from '../ca.ts';
import { isCaName, CA_NAMES } from '../profiles.ts';
import { PkiError } from '../errors.ts';
import type { SecretOptions } from '../secret.ts';

/** What revocation needs of a CA: its certificate and a signer over its key. */
export interface IssuingCa {
  name: string;
  certificate: Uint8Array;
  signer: Signer;
}

export type CaLoader = (name: string) => Promise<IssuingCa>;

/** Loads the engine's CAs from the store, each once per loader. */
export function engineCaLoader(store: PkiStore, options: SecretOptions = {}): CaLoader {
  const loaded = new Map<string, Promise<IssuingCa>>();
  return (name) => {
    if (!isCaName(name)) return Promise.reject(new PkiError('UNKNOWN_CA', `AC inconnue « ${name} » : ${CA_NAMES.join(', ')}.`));
    let ca = loaded.get(name);
    if (!ca) {
      ca = loadCa(store, name, options);
      // A failure (PKI not initialised yet) must not stick.
      ca.catch(() => loaded.delete(name));
      loaded.set(name, ca);
    }
    return ca;
  };
}
