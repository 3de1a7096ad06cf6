/**
 * Signing the contract in the browser (the dossier page's « À vous de signer »):
 * once p12-signer.js has opened the certificate file locally (« pkcs12-opened »),
 * asks the engine for the data to sign for that certificate, signs them with
 * the WebCrypto key and sends only the signature value — the file and its key
 * never leave the computer. Every refusal of the engine is shown next to the
 * form in French, with what to do; the page is reloaded once the signature is in.
 */
import type { Pkcs12Signer } from './p12-signer.ts';
import { adviceFor } from './signing-advice.ts';

interface Problem {
  code?: string;
  detail?: string;
}

const base64 = (bytes: Uint8Array): string => {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
};
const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function post(url: string, body: unknown): Promise<{ ok: boolean; body: Problem & Record<string, unknown> }> {
  const csrf = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';
  try {
    const response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify(body),
    });
    const answer = (await response.json().catch(() => ({}))) as Problem & Record<string, unknown>;
    return { ok: response.ok, body: answer };
  } catch {
    return { ok: false, body: { detail: 'La plateforme ne répond pas : vérifiez votre connexion à Internet, puis recommencez.' } };
  }
}

function bind(block: HTMLElement): void {
  const form = block.querySelector<HTMLFormElement>('form[data-p12-form]');
  const result = block.querySelector<HTMLElement>('[data-sign-result]');
  const { dossier, party } = block.dataset;
  if (!form || !result || !dossier || !party) return;
  const say = (text: string, advice: string | undefined, tone: 'info' | 'ok' | 'ko') => {
    result.className = tone === 'ko' ? 'alert' : 'notice';
    result.replaceChildren(...[text, advice].filter((t): t is string => Boolean(t)).map((t) => Object.assign(document.createElement('p'), { textContent: t })));
    result.dataset.code = '';
  };
  const refused = (problem: Problem) => {
    say(problem.detail ?? 'La signature n’a pas pu aboutir.', adviceFor(problem.code), 'ko');
    if (problem.code) result.dataset.code = problem.code;
  };

  form.addEventListener('pkcs12-opened', (event) => {
    const signer = (event as CustomEvent<Pkcs12Signer>).detail;
    void (async () => {
      const button = form.querySelector<HTMLButtonElement>('button[type="submit"]');
      if (button) button.disabled = true;
      try {
        say('Préparation du contrat pour votre certificat…', undefined, 'info');
        const base = `/v1/dossiers/${encodeURIComponent(dossier)}/contract/${encodeURIComponent(party)}`;
        const prepared = await post(`${base}/data-to-sign`, { certificate: base64(signer.certificate), chain: signer.chain.map(base64) });
        if (!prepared.ok) return refused(prepared.body);
        const dataToSign = fromBase64(String(prepared.body.dataToSign));
        const value = await signer.sign(dataToSign, signer.certificate, 'SHA-256');
        say('Signature faite sur votre ordinateur ; la plateforme la vérifie et l’horodate…', undefined, 'info');
        const signed = await post(`${base}/signature`, { preparationId: prepared.body.preparationId, signatureValue: base64(value) });
        if (!signed.ok) return refused(signed.body);
        say('Votre signature est enregistrée.', undefined, 'ok');
        window.location.assign(`${window.location.pathname}?signature=signe#signature-contrat`);
      } catch (error) {
        say(error instanceof Error ? error.message : 'La signature n’a pas pu aboutir.', undefined, 'ko');
      } finally {
        if (button) button.disabled = false;
      }
    })();
  });
}

for (const block of Array.from(document.querySelectorAll<HTMLElement>('[data-contract-signing]'))) bind(block);
