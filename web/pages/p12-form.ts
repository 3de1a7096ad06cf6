/**
 * The form with which a signer opens their software certificate in the
 * browser (web/client/p12-signer.ts binds it). For the signing ceremony's page
 * (issue 13): put this form in the page and 'p12-signer.js' in its scripts;
 * listen to its « pkcs12-opened » event, or import the module and call
 * bindPkcs12Form / openPkcs12.
 */
import type { Assets } from '../assets.ts';
import { html, type SafeHtml } from '../html.ts';

const kilobytes = (bytes: number) => `${Math.round(bytes / 1024)} Ko`;

export function pkcs12SigningForm(assets: Assets, id = 'certificat'): SafeHtml {
  return html`<form data-p12-form id="${id}" class="block p12">
<p>Votre certificat est un fichier (.p12 ou .pfx) protégé par un mot de passe. <strong>Il reste sur votre ordinateur : il n’est jamais envoyé.</strong>
Pour l’ouvrir, votre navigateur charge un lecteur de ${kilobytes(assets.onDemandBytes(['p12-signer.js']))} au moment où vous cliquez.</p>
<div class="field">
<label for="${id}-fichier">Fichier du certificat</label>
<input type="file" id="${id}-fichier" accept=".p12,.pfx,application/x-pkcs12" required>
</div>
<div class="field">
<label for="${id}-phrase">Mot de passe du certificat</label>
<input type="password" id="${id}-phrase" autocomplete="off" required>
</div>
<button type="submit" class="primary">Ouvrir mon certificat</button>
<p data-p12-status class="p12-status" role="status" aria-live="polite"></p>
</form>`;
}
