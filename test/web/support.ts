/**
 * Web test harness: the real server (API and pages) on a fresh, migrated and
 * seeded database, driven in-process with inject as a browser would: cookies
 * kept per person, forms posted url-encoded with their CSRF token.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../../db/seed.ts';
import type { Role } from '../../domain/roles.ts';

export interface Browser {
  email: string;
  cookies: Map<string, string>;
  /** The session's CSRF token, read from the last page's <meta>. */
  csrf: string;
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** A form post: url-encoded fields, the CSRF token added unless `csrf: false`. */
  post(url: string, fields: Record<string, string>, options?: { csrf?: boolean | string; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
}

export function demoEmail(role: Role, organisation?: string): string {
  const found = DEMO_ACCOUNTS.find((a) => a.role === role && (organisation === undefined || a.organisation === organisation));
  if (!found) throw new Error(`no demo account for ${role} ${organisation ?? ''}`);
  return found.email;
}

export function csrfOf(body: string): string {
  return /name="csrf-token" content="([^"]+)"/.exec(body)?.[1] ?? /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';
}

export function browser(app: FastifyInstance, email = ''): Browser {
  const cookies = new Map<string, string>();
  const keep = (res: LightMyRequestResponse) => {
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      if (c.value === '' || c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now())) cookies.delete(c.name);
      else cookies.set(c.name, c.value);
    }
    const token = csrfOf(res.body);
    if (token) b.csrf = token;
    return res;
  };
  const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const b: Browser = {
    email,
    cookies,
    csrf: '',
    async get(url, headers = {}) {
      return keep(await app.inject({ method: 'GET', url, headers: { accept: 'text/html', cookie: cookieHeader(), ...headers } }));
    },
    async post(url, fields, options = {}) {
      const token = options.csrf === false ? undefined : typeof options.csrf === 'string' ? options.csrf : b.csrf;
      const body = new URLSearchParams({ ...(token !== undefined ? { _csrf: token } : {}), ...fields }).toString();
      return keep(
        await app.inject({
          method: 'POST',
          url,
          headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(), ...options.headers },
          payload: body,
        }),
      );
    },
  };
  return b;
}

/** Signs in through the sign-in form; returns the browser with its session. */
export async function signIn(app: FastifyInstance, email: string, password = DEMO_PASSWORD): Promise<Browser> {
  const b = browser(app, email);
  await b.get('/connexion');
  const res = await b.post('/connexion', { email, password });
  if (res.statusCode !== 303) throw new Error(`sign-in of ${email} answered ${res.statusCode}: ${res.body.slice(0, 400)}`);
  await b.get(res.headers.location as string);
  return b;
}

/** The text of an element with this id (tags stripped), for assertions on what a person reads. */
export function textOf(body: string, id: string): string {
  const m = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</`).exec(body);
  return decode((m?.[1] ?? '').replace(/<[^>]+>/g, '').trim());
}

function decode(text: string): string {
  return text
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** A dossier as the form's fields (prices typed in euros, French style), from the API tests' demo dossier. */
export function dossierFormFields(dossier: import('../../domain/dossier.ts').DossierInput, idem: string): Record<string, string> {
  const fields: Record<string, string> = {
    _idem: idem,
    bankId: dossier.bankId,
    'company.siren': dossier.company.siren,
    'company.legalName': dossier.company.legalName,
    'company.legalForm': dossier.company.legalForm,
    'company.naf': dossier.company.naf,
    'company.creationDate': dossier.company.creationDate,
    'company.postcode': dossier.company.postcode,
    'company.city': dossier.company.city,
    'dirigeant.firstName': dossier.dirigeant.firstName,
    'dirigeant.lastName': dossier.dirigeant.lastName,
    'dirigeant.birthDate': dossier.dirigeant.birthDate,
    'dirigeant.email': dossier.dirigeant.email,
    'dirigeant.mobile': dossier.dirigeant.mobile,
    passportNumber: dossier.passportNumber,
    'financing.product': dossier.financing.product,
    'financing.durationMonths': String(dossier.financing.durationMonths),
    'financing.periodicity': dossier.financing.periodicity,
    'financing.firstRentIncreasePercent': String(dossier.financing.firstRentIncreasePercent ?? ''),
    'financing.residualValuePercent': String(dossier.financing.residualValuePercent ?? ''),
  };
  if (dossier.consent) fields.consent = 'oui';
  dossier.equipment.forEach((line, i) => {
    fields[`equipment.${i}.description`] = line.description;
    fields[`equipment.${i}.category`] = line.category;
    fields[`equipment.${i}.quantity`] = String(line.quantity);
    fields[`equipment.${i}.unitPrice`] =
      `${Math.trunc(line.unitPriceCents / 100).toLocaleString('fr-FR')}${line.unitPriceCents % 100 ? `,${String(line.unitPriceCents % 100).padStart(2, '0')}` : ''}`;
  });
  return fields;
}

/** The value="…" of the input with this id. */
export function valueOf(body: string, id: string): string | null {
  const m = new RegExp(`<input id="${id}"[^>]*value="([^"]*)"`).exec(body);
  return m ? decode(m[1]!) : null;
}
