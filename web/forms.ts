/**
 * Form fields with their label, hint and error message tied together for
 * assistive technologies (aria-describedby, aria-invalid), and the reading of
 * url-encoded form bodies. A field's name is its path in the JSON the API takes
 * ('company.siren'), so the API's error paths land next to the right field.
 */
import { html, type SafeHtml } from './html.ts';

export type FormBody = Record<string, string>;
export type FieldErrors = Map<string, string>;

/** Parses application/x-www-form-urlencoded text; a repeated name keeps its first value. */
export function parseFormBody(text: string): FormBody {
  const body: FormBody = Object.create(null) as FormBody;
  for (const [name, value] of new URLSearchParams(text)) if (!(name in body)) body[name] = value;
  return body;
}

export function formValue(body: FormBody | undefined | null, name: string): string {
  const value = body?.[name];
  return typeof value === 'string' ? value : '';
}

/** 'equipment.0.quantity' → 'equipment-0-quantity' */
export function fieldId(name: string): string {
  return name.replace(/[^A-Za-z0-9]+/g, '-');
}

interface FieldBase {
  name: string;
  label: string;
  value?: string;
  hint?: string;
  errors?: FieldErrors;
  required?: boolean;
  /** Extra classes for the wrapper ('short', 'wide'). */
  size?: string;
}

function described(f: FieldBase): { id: string; error: string | undefined; describedBy: string } {
  const id = fieldId(f.name);
  const error = f.errors?.get(f.name);
  const ids = [f.hint ? `${id}-aide` : '', `${id}-erreur`].filter(Boolean).join(' ');
  return { id, error, describedBy: ids };
}

function messages(id: string, f: FieldBase, error: string | undefined): SafeHtml {
  return html`${f.hint ? html`<p class="hint" id="${id}-aide">${f.hint}</p>` : ''}<p class="error" id="${id}-erreur"${error ? '' : html` hidden`}>${error ?? ''}</p>`;
}

export interface InputField extends FieldBase {
  type?: 'text' | 'email' | 'tel' | 'date' | 'number' | 'password';
  autocomplete?: string;
  inputmode?: 'numeric' | 'decimal' | 'text' | 'tel' | 'email';
  /** Extra attributes, already escaped markup from this code base (min, max, pattern…). */
  attributes?: SafeHtml;
}

export function inputField(f: InputField): SafeHtml {
  const { id, error, describedBy } = described(f);
  return html`<div class="field ${f.size ?? ''}${error ? ' invalid' : ''}">
<label for="${id}">${f.label}${f.required ? '' : html` <span class="optional">(facultatif)</span>`}</label>
${messages(id, f, error)}
<input id="${id}" name="${f.name}" type="${f.type ?? 'text'}" value="${f.value ?? ''}"${f.required ? html` required` : ''}${f.autocomplete ? html` autocomplete="${f.autocomplete}"` : ''}${f.inputmode ? html` inputmode="${f.inputmode}"` : ''} aria-describedby="${describedBy}"${error ? html` aria-invalid="true"` : ''}${f.attributes ?? ''}>
</div>`;
}

export interface SelectField extends FieldBase {
  options: { value: string; label: string }[];
  /** A first, empty choice (« Choisissez… »). */
  placeholder?: string;
}

export function selectField(f: SelectField): SafeHtml {
  const { id, error, describedBy } = described(f);
  return html`<div class="field ${f.size ?? ''}${error ? ' invalid' : ''}">
<label for="${id}">${f.label}</label>
${messages(id, f, error)}
<select id="${id}" name="${f.name}"${f.required ? html` required` : ''} aria-describedby="${describedBy}"${error ? html` aria-invalid="true"` : ''}>
${f.placeholder !== undefined ? html`<option value="">${f.placeholder}</option>` : ''}
${f.options.map((o) => html`<option value="${o.value}"${o.value === f.value ? html` selected` : ''}>${o.label}</option>`)}
</select>
</div>`;
}

export interface RadioField extends FieldBase {
  options: { value: string; label: string; hint?: string }[];
}

export function radioField(f: RadioField): SafeHtml {
  const { id, error, describedBy } = described(f);
  return html`<fieldset class="field radios${error ? ' invalid' : ''}" id="${id}" aria-describedby="${describedBy}">
<legend>${f.label}</legend>
${messages(id, f, error)}
${f.options.map(
  (
    o,
    i,
  ) => html`<div class="radio"><input type="radio" id="${id}-${i}" name="${f.name}" value="${o.value}"${o.value === f.value ? html` checked` : ''}${f.required ? html` required` : ''}>
<label for="${id}-${i}">${o.label}${o.hint ? html` <span class="hint">${o.hint}</span>` : ''}</label></div>`,
)}
</fieldset>`;
}

export function checkboxField(f: FieldBase & { checked: boolean }): SafeHtml {
  const { id, error, describedBy } = described(f);
  return html`<div class="field checkbox${error ? ' invalid' : ''}">
${messages(id, f, error)}
<input type="checkbox" id="${id}" name="${f.name}" value="oui"${f.checked ? html` checked` : ''}${f.required ? html` required` : ''} aria-describedby="${describedBy}"${error ? html` aria-invalid="true"` : ''}>
<label for="${id}">${f.label}</label>
</div>`;
}

export function textareaField(f: FieldBase & { rows?: number; maxLength?: number }): SafeHtml {
  const { id, error, describedBy } = described(f);
  return html`<div class="field ${f.size ?? ''}${error ? ' invalid' : ''}">
<label for="${id}">${f.label}${f.required ? '' : html` <span class="optional">(facultatif)</span>`}</label>
${messages(id, f, error)}
<textarea id="${id}" name="${f.name}" rows="${f.rows ?? 3}"${f.maxLength ? html` maxlength="${f.maxLength}"` : ''}${f.required ? html` required` : ''} aria-describedby="${describedBy}"${error ? html` aria-invalid="true"` : ''}>${f.value ?? ''}</textarea>
</div>`;
}

/** The list of errors at the top of a form, each a link to its field (read first by screen readers). */
export function errorSummary(errors: FieldErrors, prefix: (path: string) => string = () => '', general: string[] = []): SafeHtml {
  if (errors.size === 0 && general.length === 0) return html``;
  return html`<div class="alert" role="alert" tabindex="-1" id="erreurs">
<h2>${errors.size + general.length > 1 ? 'Quelques points à corriger' : 'Un point à corriger'}</h2>
<ul>
${general.map((g) => html`<li>${g}</li>`)}
${[...errors].map(([path, message]) => html`<li><a href="#${fieldId(path)}">${prefix(path)}${message}</a></li>`)}
</ul>
</div>`;
}
