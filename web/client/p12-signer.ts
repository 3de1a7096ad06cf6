/**
 * Signing in the browser with a software certificate (PKCS#12): the file is
 * opened here with its passphrase and never uploaded; its key goes into
 * WebCrypto as a non-extractable key, which signs the data the engine prepared
 * (signature/deferred.ts: the DER signed attributes). WebCrypto exists only in
 * a secure context (https, or http on 127.0.0.1 / localhost).
 *
 * For the signing ceremony's page:
 *   const signer = await openPkcs12(file, passphrase);   // or bindPkcs12Form(form)
 *   send signer.certificate (and signer.chain) to the engine → it prepares → dataToSign
 *   const value = await signer.sign(dataToSign, certificate);  // PKCS#1 v1.5, or ECDSA r‖s
 *   send value to the engine → it completes the PAdES signature.
 * The reader (web/client/pkcs12-reader.ts) is loaded on the first openPkcs12 call only.
 */
import type { Pkcs12Contents } from './pkcs12-reader.ts';

export type SigningHash = 'SHA-256' | 'SHA-384' | 'SHA-512';

export interface Pkcs12Signer {
  /** DER of the certificate that goes with the key. */
  certificate: Uint8Array;
  /** The file's other certificates (the issuing authorities), DER. */
  chain: Uint8Array[];
  holder: string;
  notAfter: Date;
  keyType: Pkcs12Contents['keyType'];
  /**
   * Signs the engine's data to be signed; `certificate` must be this signer's
   * (the engine prepared the data for it). RSA: PKCS#1 v1.5 bytes; EC: r‖s.
   */
  sign(dataToSign: Uint8Array, certificate: Uint8Array, hash?: SigningHash): Promise<Uint8Array>;
}

export class SigningError extends Error {
  constructor(
    readonly code: 'NO_WEBCRYPTO' | 'WRONG_CERTIFICATE' | 'EXPIRED' | 'KEY_MISMATCH' | 'FILE_TOO_LARGE' | 'UNREADABLE_FILE',
    message: string,
  ) {
    super(message);
    this.name = 'SigningError';
  }
}

/** A .p12 holds a key and a few certificates: anything far larger is not one. */
const MAX_FILE_BYTES = 1024 * 1024;

function algorithmFor(keyType: Pkcs12Contents['keyType'], hash: SigningHash): RsaHashedImportParams | EcKeyImportParams {
  return keyType === 'RSA' ? { name: 'RSASSA-PKCS1-v1_5', hash } : { name: 'ECDSA', namedCurve: keyType };
}

function signParams(keyType: Pkcs12Contents['keyType'], hash: SigningHash): AlgorithmIdentifier | EcdsaParams {
  return keyType === 'RSA' ? { name: 'RSASSA-PKCS1-v1_5' } : { name: 'ECDSA', hash };
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Opens a PKCS#12 file: checks the passphrase, imports the key into WebCrypto (not extractable), finds its certificate. */
export async function openPkcs12(file: Blob | Uint8Array, passphrase: string, now: Date = new Date()): Promise<Pkcs12Signer> {
  if (!globalThis.crypto?.subtle) {
    throw new SigningError('NO_WEBCRYPTO', 'Ce navigateur ne permet pas de signer ici : la page doit être ouverte en https. Prévenez votre revendeur.');
  }
  if (file instanceof Blob && file.size > MAX_FILE_BYTES) {
    throw new SigningError('FILE_TOO_LARGE', 'Ce fichier est trop gros pour être un certificat : choisissez le fichier .p12 ou .pfx.');
  }
  let bytes: Uint8Array;
  try {
    bytes = file instanceof Blob ? new Uint8Array(await file.arrayBuffer()) : file;
  } catch {
    throw new SigningError('UNREADABLE_FILE', 'Le fichier n’a pas pu être lu : choisissez-le à nouveau.');
  }
  const { readPkcs12, summariseCertificate } = await import('./pkcs12-reader.ts');
  const contents = await readPkcs12(bytes, passphrase);
  const keys = new Map<SigningHash, CryptoKey>();
  const keyFor = async (hash: SigningHash): Promise<CryptoKey> => {
    let key = keys.get(hash);
    if (!key) {
      key = await crypto.subtle.importKey('pkcs8', contents.pkcs8, algorithmFor(contents.keyType, hash), false, ['sign']);
      keys.set(hash, key);
    }
    return key;
  };
  // Imported once for every hash the engine may ask for, then the key's bytes are wiped.
  await Promise.all((['SHA-256', 'SHA-384', 'SHA-512'] as const).map(keyFor));
  contents.pkcs8.fill(0);

  // The certificate whose public key verifies what the private key signs.
  const challenge = crypto.getRandomValues(new Uint8Array(32));
  const proof = new Uint8Array(await crypto.subtle.sign(signParams(contents.keyType, 'SHA-256'), await keyFor('SHA-256'), challenge));
  let own: { der: Uint8Array; summary: ReturnType<typeof summariseCertificate> } | null = null;
  for (const der of contents.certificates) {
    const summary = summariseCertificate(der);
    try {
      const publicKey = await crypto.subtle.importKey('spki', summary.spki, algorithmFor(contents.keyType, 'SHA-256'), false, ['verify']);
      if (await crypto.subtle.verify(signParams(contents.keyType, 'SHA-256'), publicKey, proof, challenge)) {
        own = { der, summary };
        break;
      }
    } catch {
      // a certificate of another key type: not this key's
    }
  }
  if (!own) throw new SigningError('KEY_MISMATCH', 'Le fichier ne contient pas le certificat de sa clé : demandez un nouveau fichier à votre autorité de certification.');
  if (own.summary.notAfter.getTime() < now.getTime()) {
    throw new SigningError('EXPIRED', `Ce certificat a expiré le ${own.summary.notAfter.toLocaleDateString('fr-FR')} : il ne permet plus de signer.`);
  }
  const certificate = own.der;
  return {
    certificate,
    chain: contents.certificates.filter((c) => c !== certificate),
    holder: own.summary.name,
    notAfter: own.summary.notAfter,
    keyType: contents.keyType,
    async sign(dataToSign, forCertificate, hash = 'SHA-256') {
      if (!sameBytes(forCertificate, certificate)) {
        throw new SigningError('WRONG_CERTIFICATE', 'Le document a été préparé pour un autre certificat que celui que vous avez ouvert.');
      }
      return new Uint8Array(await crypto.subtle.sign(signParams(contents.keyType, hash), await keyFor(hash), new Uint8Array(dataToSign)));
    },
  };
}

/**
 * Binds the signing form (web/pages/p12-form.ts's markup): on submit, opens the
 * chosen file with the typed passphrase, says what happens in the form's status
 * line, and resolves with the signer; errors are shown and the form stays usable.
 */
export function bindPkcs12Form(form: HTMLFormElement, onOpened: (signer: Pkcs12Signer) => void): void {
  const status = form.querySelector<HTMLElement>('[data-p12-status]');
  const say = (text: string, tone: 'info' | 'ok' | 'ko') => {
    if (!status) return;
    status.textContent = text;
    status.className = `p12-status ${tone}`;
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const file = form.querySelector<HTMLInputElement>('input[type="file"]')?.files?.[0];
    const passphrase = form.querySelector<HTMLInputElement>('input[type="password"]');
    if (!file) {
      say('Choisissez d’abord votre fichier de certificat (.p12 ou .pfx).', 'ko');
      return;
    }
    say('Ouverture du certificat sur votre ordinateur…', 'info');
    const button = form.querySelector<HTMLButtonElement>('button[type="submit"]');
    if (button) button.disabled = true;
    openPkcs12(file, passphrase?.value ?? '')
      .then((signer) => {
        if (passphrase) passphrase.value = '';
        say(`Certificat de ${signer.holder} ouvert (valable jusqu’au ${signer.notAfter.toLocaleDateString('fr-FR')}).`, 'ok');
        form.dispatchEvent(new CustomEvent('pkcs12-opened', { detail: signer }));
        onOpened(signer);
      })
      .catch((error: unknown) => {
        say(error instanceof Error ? error.message : 'Le certificat n’a pas pu être ouvert.', 'ko');
        passphrase?.focus();
      })
      .finally(() => {
        if (button) button.disabled = false;
      });
  });
}

// The page's own form, when it carries one.
const own = typeof document === 'undefined' ? null : document.querySelector<HTMLFormElement>('form[data-p12-form]');
if (own) bindPkcs12Form(own, () => {});
