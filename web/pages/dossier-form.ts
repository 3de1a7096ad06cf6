/**
 * The one-page dossier as a form: reading what the reseller typed into the
 * JSON the API takes (amounts in euros → cents, « 62 02 a » → « 62.02A »), and
 * writing the form back with every value as typed and each error next to its
 * field. What cannot be converted is passed on as typed, so the API refuses it
 * by name instead of it being dropped.
 */
import { EQUIPMENT_CATEGORIES, MAX_EQUIPMENT_LINES } from '../../domain/dossier.ts';
import { DURATIONS_MONTHS, PERIODICITIES, PRODUCTS } from '../../domain/financing.ts';
import { parseDecimal, parseEuros } from '../format.ts';
import { FORM_MESSAGES, compactDigits, tidyNaf } from '../form-rules.ts';
import { parisDateOf } from '../../domain/dates.ts';
import { html, type SafeHtml } from '../html.ts';
import { CATEGORY_LABEL, PERIODICITY_LABEL, PRODUCT_LABEL } from '../labels.ts';
import { checkboxField, errorSummary, fieldId, formValue, inputField, radioField, selectField, type FieldErrors, type FormBody } from '../forms.ts';
import { CSRF_FIELD } from '../session.ts';

const TEXT_FIELDS = [
  'bankId',
  'company.siren',
  'company.legalName',
  'company.legalForm',
  'company.naf',
  'company.creationDate',
  'company.postcode',
  'company.city',
  'dirigeant.firstName',
  'dirigeant.lastName',
  'dirigeant.birthDate',
  'dirigeant.email',
  'dirigeant.mobile',
  'passportNumber',
  'financing.product',
  'financing.durationMonths',
  'financing.periodicity',
  'financing.firstRentIncreasePercent',
  'financing.residualValuePercent',
] as const;
const LINE_FIELDS = ['description', 'category', 'quantity', 'unitPrice'] as const;
export const IDEMPOTENCY_FIELD = '_idem';
export const LINES_FIELD = '_lignes';

export interface DossierForm {
  /** What the reseller typed, tidied (spaces out of the SIREN…), to show back. */
  values: FormBody;
  /** Equipment lines shown: the filled ones, at least one. */
  lines: number;
  /** The body for POST /v1/dossiers. */
  dossier: Record<string, unknown>;
  /** Conversions that failed here (an amount that is not one), by field. */
  errors: FieldErrors;
}

export function readDossierForm(body: FormBody, resellerId: string): DossierForm {
  const values: FormBody = {};
  for (const name of TEXT_FIELDS) values[name] = formValue(body, name).trim();
  values['company.siren'] = compactDigits(values['company.siren']!);
  values['company.postcode'] = compactDigits(values['company.postcode']!);
  values['company.naf'] = tidyNaf(values['company.naf']!);
  values.consent = formValue(body, 'consent') ? 'oui' : '';
  values[IDEMPOTENCY_FIELD] = formValue(body, IDEMPOTENCY_FIELD);

  const errors: FieldErrors = new Map();
  const equipment: Record<string, unknown>[] = [];
  // Empty lines are dropped and the others moved up, so line numbers match what the API reports.
  for (let i = 0; i < MAX_EQUIPMENT_LINES; i++) {
    const line = Object.fromEntries(LINE_FIELDS.map((f) => [f, formValue(body, `equipment.${i}.${f}`).trim()]));
    if (!line.description && !line.quantity && !line.unitPrice) continue;
    const n = equipment.length;
    for (const f of LINE_FIELDS) values[`equipment.${n}.${f}`] = line[f]!;
    const quantity = /^\d+$/.test(line.quantity!) ? Number(line.quantity) : line.quantity;
    const price = parseEuros(line.unitPrice!);
    if (line.unitPrice && price === null) {
      errors.set(`equipment.${n}.unitPrice`, FORM_MESSAGES.unitPrice);
    } else if (!line.unitPrice) {
      errors.set(`equipment.${n}.unitPrice`, FORM_MESSAGES.unitPriceMissing);
    }
    equipment.push({
      description: line.description,
      category: line.category,
      quantity: quantity === '' ? undefined : quantity,
      unitPriceCents: price ?? line.unitPrice,
    });
  }

  const percentOf = (name: string): number | string | undefined => {
    const text = values[name]!;
    if (!text) return undefined;
    const value = parseDecimal(text);
    if (value === null) errors.set(name, FORM_MESSAGES.percent);
    return value ?? text;
  };
  const product = values['financing.product'];
  const financing: Record<string, unknown> = {
    product: product || undefined,
    durationMonths: values['financing.durationMonths'] ? Number(values['financing.durationMonths']) : undefined,
    periodicity: values['financing.periodicity'] || undefined,
    firstRentIncreasePercent: percentOf('financing.firstRentIncreasePercent'),
    // The residual value is crédit-bail's only: a value left in the hidden field of location financière is ignored.
    residualValuePercent: product === 'location_financiere' ? undefined : percentOf('financing.residualValuePercent'),
  };
  const dossier = {
    resellerId,
    bankId: values.bankId,
    company: {
      siren: values['company.siren'],
      legalName: values['company.legalName'],
      legalForm: values['company.legalForm'],
      naf: values['company.naf'],
      creationDate: values['company.creationDate'],
      postcode: values['company.postcode'],
      city: values['company.city'],
    },
    dirigeant: {
      firstName: values['dirigeant.firstName'],
      lastName: values['dirigeant.lastName'],
      birthDate: values['dirigeant.birthDate'],
      email: values['dirigeant.email'],
      mobile: values['dirigeant.mobile'],
    },
    passportNumber: values.passportNumber,
    equipment,
    financing,
    consent: values.consent === 'oui',
  };
  return { values, lines: Math.max(1, equipment.length), dossier, errors };
}

/** The API's error paths as the form's field names (unit prices are typed in euros here). */
export function formPath(apiPath: string): string {
  return apiPath.replace(/^(equipment\.\d+)\.unitPriceCents$/, '$1.unitPrice');
}

export interface RenderDossierForm {
  values: FormBody;
  lines: number;
  errors: FieldErrors;
  /** Refusals not tied to a field (an inactive reseller, the engine unavailable). */
  general: string[];
  banks: { id: string; name: string }[];
  csrfToken: string;
  /** The rent preview computed on the server (without JavaScript). */
  preview?: SafeHtml;
}

function linePrefix(path: string): string {
  const m = /^equipment\.(\d+)\./.exec(path);
  return m ? `Ligne ${Number(m[1]) + 1} — ` : '';
}

export function renderDossierForm(f: RenderDossierForm): SafeHtml {
  const v = (name: string) => f.values[name] ?? '';
  const text = (name: string, label: string, extra: Partial<Parameters<typeof inputField>[0]> = {}) =>
    inputField({ name, label, value: v(name), errors: f.errors, required: true, ...extra });
  const today = parisDateOf(new Date());
  const creditBail = v('financing.product') !== 'location_financiere';
  const shown = Math.min(MAX_EQUIPMENT_LINES, Math.max(1, f.lines));
  return html`${errorSummary(f.errors, linePrefix, f.general)}
<form method="post" action="/revendeur/dossiers" id="dossier" novalidate>
<input type="hidden" name="${CSRF_FIELD}" value="${f.csrfToken}">
<input type="hidden" name="${IDEMPOTENCY_FIELD}" value="${v(IDEMPOTENCY_FIELD)}">
<input type="hidden" name="${LINES_FIELD}" value="${shown}">

<fieldset class="block">
<legend>Banque</legend>
${selectField({
  name: 'bankId',
  label: 'Banque qui finance',
  value: v('bankId'),
  errors: f.errors,
  required: true,
  placeholder: f.banks.length ? 'Choisissez la banque' : 'Aucune banque : pas de protocole actif',
  options: f.banks.map((b) => ({ value: b.id, label: b.name })),
})}
</fieldset>

<fieldset class="block">
<legend>L’entreprise</legend>
<div class="row">
${text('company.siren', 'SIREN', { hint: '9 chiffres, sur l’avis de situation INSEE ou un extrait Kbis', inputmode: 'numeric', autocomplete: 'off', size: 'short', attributes: html` maxlength="11"` })}
${text('company.naf', 'Code NAF (APE)', { hint: 'Par exemple 62.02A', size: 'short', autocomplete: 'off', attributes: html` maxlength="7"` })}
</div>
${text('company.legalName', 'Raison sociale', { autocomplete: 'organization' })}
<div class="row">
${text('company.legalForm', 'Forme juridique', { hint: 'SARL, SAS, EURL, EI…', size: 'short', attributes: html` list="formes"` })}
${text('company.creationDate', 'Date de création', { type: 'date', size: 'short', attributes: html` max="${today}"` })}
</div>
<datalist id="formes">${['EI', 'EURL', 'SARL', 'SAS', 'SASU', 'SA', 'SCOP', 'SNC'].map((x) => html`<option value="${x}">`)}</datalist>
<div class="row">
${text('company.postcode', 'Code postal', { inputmode: 'numeric', autocomplete: 'postal-code', size: 'short', attributes: html` maxlength="5"` })}
${text('company.city', 'Ville', { autocomplete: 'address-level2' })}
</div>
${text('passportNumber', 'Numéro de Passeport', { hint: 'Par exemple PEN-2025-000101', autocomplete: 'off', size: 'short' })}
</fieldset>

<fieldset class="block">
<legend>Le dirigeant</legend>
<div class="row">
${text('dirigeant.firstName', 'Prénom', { autocomplete: 'off' })}
${text('dirigeant.lastName', 'Nom', { autocomplete: 'off' })}
</div>
<div class="row">
${text('dirigeant.birthDate', 'Date de naissance', { type: 'date', size: 'short', attributes: html` max="${today}"` })}
${text('dirigeant.mobile', 'Téléphone mobile', { type: 'tel', hint: '06 ou 07, 10 chiffres', autocomplete: 'off', size: 'short' })}
</div>
${text('dirigeant.email', 'Adresse e-mail', { type: 'email', autocomplete: 'off' })}
</fieldset>

<fieldset class="block" id="equipment" aria-describedby="equipment-erreur">
<legend>Équipements et services (${MAX_EQUIPMENT_LINES} lignes au plus, montants hors taxes)</legend>
<p class="error" id="equipment-erreur"${f.errors.get('equipment') ? '' : html` hidden`}>${f.errors.get('equipment') ?? ''}</p>
${Array.from({ length: MAX_EQUIPMENT_LINES }, (_, i) => equipmentLine(i, f, i >= shown))}
<p class="line-actions">
<button type="submit" name="_action" value="ajouter-ligne" formnovalidate class="secondary" id="ajouter-ligne"${shown >= MAX_EQUIPMENT_LINES ? html` disabled` : ''}>Ajouter une ligne</button>
</p>
<p class="total">Montant à financer : <strong id="total-ht">—</strong> HT</p>
</fieldset>

<fieldset class="block">
<legend>Le financement</legend>
${radioField({
  name: 'financing.product',
  label: 'Formule',
  value: v('financing.product') || 'credit_bail',
  errors: f.errors,
  required: true,
  options: PRODUCTS.map((p) => ({ value: p, label: PRODUCT_LABEL[p] })),
})}
<div class="row">
${selectField({
  name: 'financing.durationMonths',
  label: 'Durée',
  value: v('financing.durationMonths') || '36',
  errors: f.errors,
  required: true,
  size: 'short',
  options: DURATIONS_MONTHS.map((d) => ({ value: String(d), label: `${d} mois` })),
})}
${radioField({
  name: 'financing.periodicity',
  label: 'Loyers',
  value: v('financing.periodicity') || 'monthly',
  errors: f.errors,
  required: true,
  options: PERIODICITIES.map((p) => ({ value: p, label: PERIODICITY_LABEL[p].plural.replace(/^./, (c) => c.toUpperCase()) })),
})}
</div>
<div class="row">
${inputField({ name: 'financing.firstRentIncreasePercent', label: 'Premier loyer majoré (%)', value: v('financing.firstRentIncreasePercent'), errors: f.errors, hint: 'De 0 à 20 % du montant ; vide : aucun', inputmode: 'decimal', size: 'short' })}
<div id="vr-field"${creditBail ? '' : html` hidden`}>
${inputField({ name: 'financing.residualValuePercent', label: 'Valeur résiduelle (%)', value: v('financing.residualValuePercent'), errors: f.errors, hint: 'Prix de l’option d’achat ; vide : 1 %', inputmode: 'decimal', size: 'short' })}
</div>
</div>
<section class="preview" aria-labelledby="apercu-titre">
<h2 id="apercu-titre">Loyers prévus</h2>
<div id="apercu" aria-live="polite">${f.preview ?? html`<p class="hint">Les loyers s’affichent ici dès que la banque, les équipements et la durée sont renseignés.</p>`}</div>
<p><button type="submit" name="_action" value="apercu" formnovalidate class="secondary" id="calculer">Calculer les loyers</button></p>
</section>
</fieldset>

<fieldset class="block">
<legend>Accord du créateur</legend>
${checkboxField({
  name: 'consent',
  checked: v('consent') === 'oui',
  errors: f.errors,
  required: true,
  label: 'Le créateur accepte que sa demande soit vérifiée (Passeport, registres, garantie SOFARIS) et transmise à la banque.',
})}
</fieldset>

<p class="submit"><button type="submit" class="primary">Envoyer le dossier à la banque</button></p>
<p class="hint">Après l’envoi, la réponse est immédiate dans la plupart des cas ; sinon la banque répond dans les 24 heures.</p>
</form>`;
}

function equipmentLine(i: number, f: RenderDossierForm, hidden: boolean): SafeHtml {
  const name = (field: string) => `equipment.${i}.${field}`;
  const v = (field: string) => f.values[name(field)] ?? '';
  return html`<fieldset class="line" id="${fieldId(`equipment.${i}`)}"${hidden ? html` hidden` : ''}>
<legend>Ligne ${i + 1}</legend>
<div class="row">
${inputField({ name: name('description'), label: 'Description', value: v('description'), errors: f.errors, required: true, size: 'wide' })}
${selectField({
  name: name('category'),
  label: 'Catégorie',
  value: v('category') || 'poste_de_travail',
  errors: f.errors,
  required: true,
  options: EQUIPMENT_CATEGORIES.map((c) => ({ value: c, label: CATEGORY_LABEL[c] })),
})}
</div>
<div class="row">
${inputField({ name: name('quantity'), label: 'Quantité', value: v('quantity'), errors: f.errors, required: true, inputmode: 'numeric', size: 'tiny' })}
${inputField({ name: name('unitPrice'), label: 'Prix unitaire HT (€)', value: v('unitPrice'), errors: f.errors, required: true, inputmode: 'decimal', size: 'short', hint: 'Par exemple 1 200 ou 1 200,50' })}
</div>
</fieldset>`;
}
