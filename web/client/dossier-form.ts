/**
 * The dossier form in the browser: each field is checked when the reseller
 * leaves it (SIREN with its Luhn key and La Poste's exception, NAF code, dates,
 * amounts), the error is written next to the field, and the rents are
 * previewed as the reseller types (POST /v1/quotes with the page's session).
 * The server checks everything again: this only saves a round trip.
 */
import { isValidSiren } from '../../domain/siren.ts';
import { NAF_PATTERN } from '../../domain/naf.ts';
import { isCalendarDate, parisDateOf } from '../../domain/dates.ts';
import { euros, parseDecimal, parseEuros } from '../format.ts';
import { FORM_MESSAGES, compactDigits, tidyNaf } from '../form-rules.ts';
import { quotePreview, type QuoteAnswer } from '../pages/quote-preview.ts';

type Control = HTMLInputElement | HTMLSelectElement;
type Check = (value: string, control: Control) => string | null;

const form = document.querySelector<HTMLFormElement>('form#dossier');
const today = parisDateOf(new Date());

const labelOf = (control: Control): string => (control.labels?.[0]?.textContent ?? control.name).replace(/\(facultatif\)/, '').trim();
const required: Check = (value, control) => (value.trim() === '' ? `${labelOf(control)} : à renseigner` : null);
const pastDate: Check = (value, control) => {
  if (!value) return required(value, control);
  if (!isCalendarDate(value)) return `${labelOf(control)} : date invalide, au format AAAA-MM-JJ (par exemple 2024-03-15)`;
  return value > today ? `${labelOf(control)} : ne peut pas être dans le futur` : null;
};
const percentCheck: Check = (value) => (value.trim() === '' || parseDecimal(value) !== null ? null : FORM_MESSAGES.percent);

/** Checks by field name; equipment lines by their last part. */
const CHECKS: Record<string, Check> = {
  bankId: (v, c) => required(v, c),
  'company.siren': (v, c) => {
    const siren = compactDigits(v);
    if (!siren) return required(siren, c);
    if (!/^\d{9}$/.test(siren)) return 'Le SIREN doit compter 9 chiffres, sans espace';
    return isValidSiren(siren) ? null : 'Ce SIREN n’existe pas : vérifiez les 9 chiffres (clé de contrôle fausse)';
  },
  'company.naf': (v, c) => (!v.trim() ? required(v, c) : NAF_PATTERN.test(tidyNaf(v)) ? null : 'Code NAF (APE) au format 00.00A, par exemple 62.02A'),
  'company.creationDate': pastDate,
  'dirigeant.birthDate': pastDate,
  'company.postcode': (v) => (/^\d{5}$/.test(compactDigits(v)) ? null : 'Le code postal compte 5 chiffres'),
  'dirigeant.email': (v) => (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.trim()) ? null : 'Adresse e-mail invalide'),
  'financing.firstRentIncreasePercent': percentCheck,
  'financing.residualValuePercent': percentCheck,
  quantity: (v) => (/^\d+$/.test(v.trim()) && Number(v) >= 1 ? null : 'La quantité est un nombre entier, au moins 1'),
  unitPrice: (v) => (v.trim() === '' ? FORM_MESSAGES.unitPriceMissing : parseEuros(v) === null ? FORM_MESSAGES.unitPrice : null),
};

function checkOf(control: Control): Check | null {
  const own = CHECKS[control.name];
  if (own) return own;
  const last = control.name.split('.').at(-1) ?? '';
  if (control.name.startsWith('equipment.') && CHECKS[last]) return CHECKS[last]!;
  return control.required ? required : null;
}

function isShown(control: Control): boolean {
  return !control.closest('[hidden]');
}

/** An equipment line left empty is not checked (empty lines are dropped). */
function isEmptyLine(control: Control): boolean {
  const line = control.closest('fieldset.line');
  if (!line) return false;
  return Array.from(line.querySelectorAll<HTMLInputElement>('input')).every((i) => i.value.trim() === '');
}

function show(control: Control, message: string | null): void {
  const error = document.getElementById(`${control.id}-erreur`);
  if (!error) return;
  error.textContent = message ?? '';
  error.hidden = message === null;
  control.closest('.field')?.classList.toggle('invalid', message !== null);
  if (message) control.setAttribute('aria-invalid', 'true');
  else control.removeAttribute('aria-invalid');
}

function validate(control: Control): string | null {
  if (!isShown(control) || control.type === 'hidden' || control.type === 'radio') return null;
  if (control.name === 'consent') {
    return (control as HTMLInputElement).checked ? null : 'Le consentement du créateur aux vérifications est obligatoire';
  }
  const check = checkOf(control);
  if (!check || (control.name.startsWith('equipment.') && isEmptyLine(control))) return null;
  return check(control.value, control);
}

function controls(): Control[] {
  return form ? Array.from(form.querySelectorAll<Control>('input[name], select[name]')) : [];
}

function showSummary(errors: [Control, string][]): void {
  let summary = document.getElementById('erreurs-client');
  if (!summary) {
    summary = document.createElement('div');
    summary.id = 'erreurs-client';
    summary.className = 'alert';
    summary.setAttribute('role', 'alert');
    summary.tabIndex = -1;
    form?.prepend(summary);
  }
  const title = document.createElement('h2');
  title.textContent = errors.length > 1 ? 'Quelques points à corriger' : 'Un point à corriger';
  const list = document.createElement('ul');
  for (const [control, message] of errors) {
    const item = document.createElement('li');
    const link = document.createElement('a');
    link.href = `#${control.id}`;
    link.textContent = message;
    item.append(link);
    list.append(item);
  }
  summary.replaceChildren(title, list);
  summary.focus();
}

function shownLines(): HTMLFieldSetElement[] {
  return form ? Array.from(form.querySelectorAll<HTMLFieldSetElement>('fieldset.line')).filter((l) => !l.hidden) : [];
}

function amountCents(): number {
  let total = 0;
  for (const line of shownLines()) {
    const quantity = line.querySelector<HTMLInputElement>('input[name$=".quantity"]')?.value.trim() ?? '';
    const price = parseEuros(line.querySelector<HTMLInputElement>('input[name$=".unitPrice"]')?.value ?? '');
    if (/^\d+$/.test(quantity) && price !== null) total += Number(quantity) * price;
  }
  return total;
}

const value = (name: string): string => {
  const el = form?.elements.namedItem(name);
  if (el instanceof RadioNodeList) return el.value;
  return (el as Control | null)?.value ?? '';
};

let previewTimer: ReturnType<typeof setTimeout> | undefined;
let previewRound = 0;

async function preview(): Promise<void> {
  const target = document.getElementById('apercu');
  const total = document.getElementById('total-ht');
  const amount = amountCents();
  if (total) total.textContent = amount > 0 ? euros(amount) : '—';
  if (!target) return;
  const bankId = value('bankId');
  if (!bankId || amount <= 0) return;
  const product = value('financing.product');
  const percent = (name: string) => {
    const parsed = parseDecimal(value(name));
    return parsed === null ? undefined : parsed;
  };
  const body = {
    bankId,
    amountCents: amount,
    product,
    durationMonths: Number(value('financing.durationMonths')),
    periodicity: value('financing.periodicity'),
    firstRentIncreasePercent: percent('financing.firstRentIncreasePercent'),
    residualValuePercent: product === 'credit_bail' ? percent('financing.residualValuePercent') : undefined,
  };
  const round = ++previewRound;
  try {
    const response = await fetch('/v1/quotes', {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'content-type': 'application/json',
        'x-csrf-token': document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '',
      },
      body: JSON.stringify(body),
    });
    const answer = { status: response.status, body: await response.json() } as QuoteAnswer;
    if (round === previewRound) target.innerHTML = quotePreview(answer).value;
  } catch {
    if (round === previewRound) target.textContent = 'Aperçu indisponible pour le moment : le calcul sera refait à l’envoi.';
  }
}

function schedulePreview(): void {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(() => void preview(), 350);
}

if (form) {
  form.addEventListener('focusout', (event) => {
    const control = event.target as Control;
    if (control.name) show(control, validate(control));
  });
  form.addEventListener('input', (event) => {
    const control = event.target as Control;
    // While typing, an error disappears as soon as it is fixed; a new one waits for the field to be left.
    if (control.getAttribute('aria-invalid') === 'true' && validate(control) === null) show(control, null);
    schedulePreview();
  });
  form.addEventListener('change', (event) => {
    const control = event.target as Control;
    if (control.name === 'financing.product') {
      const vr = document.getElementById('vr-field');
      if (vr) vr.hidden = control.value !== 'credit_bail';
    }
    schedulePreview();
  });
  form.addEventListener('submit', (event) => {
    const submitter = (event as SubmitEvent).submitter as HTMLButtonElement | null;
    if (submitter?.name === '_action') {
      if (submitter.value === 'ajouter-ligne') {
        event.preventDefault();
        const next = form.querySelector<HTMLFieldSetElement>('fieldset.line[hidden]');
        if (next) {
          next.hidden = false;
          next.querySelector('input')?.focus();
          const count = form.elements.namedItem('_lignes') as HTMLInputElement | null;
          if (count) count.value = String(shownLines().length);
        }
        if (!form.querySelector('fieldset.line[hidden]')) submitter.disabled = true;
      } else if (submitter.value === 'apercu') {
        event.preventDefault();
        void preview();
      }
      return;
    }
    const errors = controls()
      .map((c) => [c, validate(c)] as const)
      .filter((e): e is [Control, string] => e[1] !== null);
    for (const [control, message] of errors) show(control, message);
    if (errors.length > 0) {
      event.preventDefault();
      showSummary(errors);
    }
  });
  schedulePreview();
}
