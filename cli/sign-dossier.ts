/**
 * `passeport sign --dossier ID --party createur|revendeur|banque`: a signing
 * device talking to the engine's API. The key never leaves its file or token:
 * the engine checks the certificate and prepares the data to sign, the key
 * signs it here, the engine completes, timestamps and verifies the signature.
 * The bank may instead ask the engine to countersign with its server-side seal.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Signer } from '../certs/types.ts';
import { isParty, PARTY_LABEL, type Party } from '../domain/ceremony.ts';
import { PasseportError } from '../errors/index.ts';
import { CliError } from './errors.ts';

const ALIASES: Record<string, Party> = { creator: 'createur', reseller: 'revendeur', bank: 'banque', créateur: 'createur' };

export function parseParty(value: string): Party {
  const party = ALIASES[value] ?? value;
  if (!isParty(party)) throw new CliError(`Partie inconnue « ${value} » : createur, revendeur ou banque.`);
  return party;
}

export interface DossierSignOptions {
  dossierId: string;
  party: Party;
  apiUrl: string;
  apiKey: string;
  /** Absent for the bank's server-side countersignature. */
  signer?: Signer;
  decline?: string;
  /** Where to write the contract as it stands after this step. */
  out?: string;
  userAgent?: string;
  /**
   * Waits before each new attempt when the engine answers 503 (a worker restarting, Temporal
   * busy): the API says « réessayez », so the device does, a bounded number of times.
   */
  retryDelaysMs?: readonly number[];
}

/** About half a minute in all: longer than a worker's restart, short enough for a person waiting. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [2_000, 4_000, 8_000, 16_000];

export interface DossierSignResult {
  dossierId: string;
  party: Party;
  action: 'signed' | 'countersigned' | 'declined';
  stage: string;
  turn: Party | null;
  contractVersion: number | null;
  sha256: string | null;
  out?: string;
}

/** A refusal of the API, with its problem+json detail in French and its code (`API_REFUSED` when it gave none). */
export class ApiRefusal extends PasseportError {
  constructor(
    readonly status: number,
    code: string | undefined,
    detail: string,
  ) {
    super(code ?? 'API_REFUSED', detail);
  }
}

export async function signDossier(o: DossierSignOptions): Promise<DossierSignResult> {
  const base = `${o.apiUrl.replace(/\/+$/, '')}/v1/dossiers/${encodeURIComponent(o.dossierId)}`;
  const headers = { authorization: `Bearer ${o.apiKey}`, 'user-agent': o.userAgent ?? 'passeport-sign' };
  const delays = o.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  /**
   * One step, tried again while the engine answers 503. A retried step may find it was done by
   * the attempt whose answer was lost: `doneBefore` names the 409 codes that then mean success.
   */
  const step = async (method: string, url: string, body?: unknown, doneBefore: readonly string[] = []): Promise<Response | 'done-before'> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call(method, url, body);
      } catch (error) {
        const retried = attempt > 0;
        if (retried && error instanceof ApiRefusal && error.status === 409 && doneBefore.includes(error.code)) return 'done-before';
        if (!(error instanceof ApiRefusal && error.status === 503) || attempt >= delays.length) throw error;
        await new Promise((resolve) => setTimeout(resolve, delays[attempt]));
      }
    }
  };
  const call = async (method: string, url: string, body?: unknown): Promise<Response> => {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(120_000),
      });
    } catch {
      throw new CliError(`L’API ${o.apiUrl} ne répond pas : le moteur est-il démarré (« passeport start ») ?`);
    }
    if (!response.ok) {
      const problem = (await response.json().catch(() => ({}))) as { detail?: string; code?: string };
      throw new ApiRefusal(response.status, problem.code, problem.detail ?? `HTTP ${response.status}`);
    }
    return response;
  };
  type View = { stage: string; turn: Party | null };
  const json = async <T>(method: string, url: string, body?: unknown): Promise<T> => {
    const response = await step(method, url, body);
    return (response as Response).json() as Promise<T>;
  };
  /** A step that changes the ceremony; when a retry finds it done, the ceremony's state says where it stands. */
  const act = async (url: string, body: unknown, doneBefore: readonly string[]): Promise<View> => {
    const response = await step('POST', url, body, doneBefore);
    if (response !== 'done-before') return (await response.json()) as View;
    const now = await json<{ status: string; turn: Party | null }>('GET', `${base}/contract`);
    return { stage: now.status, turn: now.turn };
  };
  let action: DossierSignResult['action'];
  let view: View;
  if (o.decline !== undefined) {
    view = await act(`${base}/contract/${o.party}/decline`, { reason: o.decline }, []);
    action = 'declined';
  } else if (!o.signer) {
    if (o.party !== 'banque') throw new CliError(`Aucune clé de signature pour ${PARTY_LABEL[o.party]} : indiquez --p12 FICHIER ou --token-label LIBELLÉ.`);
    // A countersignature asked again after it was stored answers with it: a plain retry is safe.
    view = await act(`${base}/contract/banque/countersignature`, undefined, []);
    action = 'countersigned';
  } else {
    // Reading the contract first: the engine records the opening in the evidence.
    await ((await step('GET', `${base}/contract/document`)) as Response).arrayBuffer();
    const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
    const prepared = await json<{ preparationId: string; dataToSign: string; hash: 'SHA-256' }>('POST', `${base}/contract/${o.party}/data-to-sign`, {
      certificate: b64(o.signer.certificate),
      chain: o.signer.chain.map(b64),
    });
    const value = await o.signer.sign(Buffer.from(prepared.dataToSign, 'base64'), prepared.hash);
    // The value is bound to its preparation: if the lost answer had applied it, the retry hears
    // « preparation used » or « already signed » — this very signature, not another one.
    view = await act(`${base}/contract/${o.party}/signature`, { preparationId: prepared.preparationId, signatureValue: b64(value) }, ['preparation_used', 'already_signed']);
    action = 'signed';
  }

  const status = await json<{ contract: { version: number; sha256: string } | null }>('GET', `${base}/contract`);
  const result: DossierSignResult = {
    dossierId: o.dossierId,
    party: o.party,
    action,
    stage: view.stage,
    turn: view.turn,
    contractVersion: status.contract?.version ?? null,
    sha256: status.contract?.sha256 ?? null,
  };
  if (o.out) {
    const pdf = Buffer.from(await ((await step('GET', `${base}/contract/document`)) as Response).arrayBuffer());
    const tmp = path.join(path.dirname(path.resolve(o.out)), `.${path.basename(o.out)}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, pdf);
    fs.renameSync(tmp, o.out);
    result.out = o.out;
  }
  return result;
}

const STAGE_TEXT: Record<string, string> = {
  awaiting_createur: 'le contrat attend la signature du preneur (créateur)',
  awaiting_revendeur: 'le contrat attend la signature du fournisseur (revendeur)',
  awaiting_banque: 'le contrat attend la contresignature de la banque',
  finalising: 'les trois parties ont signé : le moteur ajoute les données de validation et l’horodatage d’archivage',
  signed: 'le contrat est signé, horodaté (B-LTA) et archivé',
  declined: 'la signature est close : une partie a refusé de signer',
  lapsed: 'l’offre a expiré',
};

export function describeResult(r: DossierSignResult): string {
  const what = { signed: 'a signé', countersigned: 'a contresigné (cachet de la banque)', declined: 'a refusé de signer' }[r.action];
  const lines = [`${capital(PARTY_LABEL[r.party])} ${what} le contrat du dossier ${r.dossierId}.`];
  lines.push(`Maintenant : ${STAGE_TEXT[r.stage] ?? r.stage}.`);
  if (r.contractVersion !== null) lines.push(`Contrat en version ${r.contractVersion}, SHA-256 ${r.sha256}.`);
  if (r.out) lines.push(`Contrat écrit dans ${r.out}.`);
  return lines.join('\n');
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
