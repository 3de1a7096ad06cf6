/**
 * The pages end to end in-process: real server, real database, real sessions
 * and forms, the real activities behind the in-process engine double of
 * test/api/support.ts (the Temporal path is in test/web/browser.test.ts).
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessEngine, startApi, type ApiHarness } from '../api/support.ts';
import { demoDossier } from '../activities/fixtures.ts';
import { DEMO } from '../../db/seed.ts';
import { createDossierActivities } from '../../activities/dossier.ts';
import { createLocalGuarantor } from '../../guarantor/local.ts';
import { deadlineDefaultDecision } from '../../domain/deadline-default.ts';
import { browser, demoEmail, dossierFormFields, signIn, textOf, valueOf, type Browser } from './support.ts';

let api: ApiHarness;
let reseller: Browser;

beforeAll(async () => {
  api = await startApi((sql) => createInProcessEngine(sql));
  reseller = await signIn(api.app, demoEmail('reseller', DEMO.resellers.grenoble));
});
afterAll(async () => api?.close());

const dossierCount = async () => (await api.sql<{ n: number }[]>`select count(*)::int as n from dossiers`)[0]!.n;

describe('the reseller’s form', () => {
  it('shows bad input next to each field in French, keeps everything typed, and stores nothing', async () => {
    const before = await dossierCount();
    const fields = dossierFormFields(demoDossier(), crypto.randomUUID());
    fields['company.siren'] = '912 345 676';
    fields['company.naf'] = '6202';
    fields['equipment.1.unitPrice'] = 'deux mille';
    fields['dirigeant.email'] = 'camille@';
    delete fields.consent;
    const res = await reseller.post('/revendeur/dossiers', fields);
    expect(res.statusCode).toBe(422);
    expect(textOf(res.body, 'company-siren-erreur')).toBe("Ce SIREN n'existe pas : vérifiez les 9 chiffres (clé de contrôle fausse)");
    expect(textOf(res.body, 'company-naf-erreur')).toMatch(/Code NAF \(APE\) au format 00\.00A/);
    expect(textOf(res.body, 'equipment-1-unitPrice-erreur')).toMatch(/un montant en euros/);
    expect(textOf(res.body, 'dirigeant-email-erreur')).toMatch(/Adresse e-mail invalide/);
    expect(textOf(res.body, 'consent-erreur')).toMatch(/consentement/);
    expect(res.body).toMatch(/<input id="company-siren"[^>]*aria-invalid="true"/);
    // Nothing lost: every value as typed (the SIREN without its spaces), lines and terms included.
    expect(valueOf(res.body, 'company-siren')).toBe('912345676');
    expect(valueOf(res.body, 'company-naf')).toBe('6202');
    expect(valueOf(res.body, 'company-legalName')).toBe('Atelier Numérique du Vercors');
    expect(valueOf(res.body, 'equipment-1-unitPrice')).toBe('deux mille');
    expect(valueOf(res.body, 'equipment-3-description')).toBe('Pack certificat, signature et coffre-fort');
    expect(valueOf(res.body, 'dirigeant-mobile')).toBe('06 12 34 56 78');
    expect(res.body).toContain(`name="_idem" value="${fields._idem}"`);
    // The error summary links each message to its field.
    expect(res.body).toMatch(/<a href="#company-siren">/);
    expect(await dossierCount()).toBe(before);
  });

  it('sends a good dossier once, whatever the number of clicks, and shows its default accord', async () => {
    const fields = dossierFormFields(demoDossier(), crypto.randomUUID());
    fields['company.naf'] = '62 02 a';
    const first = await reseller.post('/revendeur/dossiers', fields);
    expect(first.statusCode, first.body.slice(0, 500)).toBe(303);
    expect(first.headers.location).toMatch(/^\/revendeur\/dossiers\/[0-9a-f-]{36}\?envoi=nouveau$/);
    const again = await reseller.post('/revendeur/dossiers', fields);
    expect(again.headers.location).toBe(first.headers.location!.replace('nouveau', 'deja'));
    const page = await reseller.get(first.headers.location!);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Financement accordé');
    expect(page.body).toContain('accord automatique');
    expect(page.body).toMatch(/Garantie SOFARIS accordée/);
    const list = await reseller.get('/revendeur');
    expect(list.body).toContain(first.headers.location!.split('?')[0]);
  });

  it('refuses a form changed after it was sent under the same key, and offers a fresh one', async () => {
    const fields = dossierFormFields(demoDossier(), crypto.randomUUID());
    expect((await reseller.post('/revendeur/dossiers', fields)).statusCode).toBe(303);
    const changed = await reseller.post('/revendeur/dossiers', { ...fields, 'financing.durationMonths': '48' });
    expect(changed.statusCode).toBe(422);
    expect(changed.body).toContain('Ce formulaire a déjà servi');
    expect(changed.body).not.toContain(`name="_idem" value="${fields._idem}"`);
    expect(valueOf(changed.body, 'company-legalName')).toBe('Atelier Numérique du Vercors');
  });

  it('adds a line and previews the rents without JavaScript', async () => {
    const fields = dossierFormFields(demoDossier(), crypto.randomUUID());
    const added = await reseller.post('/revendeur/dossiers', { ...fields, _action: 'ajouter-ligne', _lignes: '4' });
    expect(added.statusCode).toBe(200);
    expect(added.body).toMatch(/<fieldset class="line" id="equipment-4">/);
    expect(added.body).toMatch(/<fieldset class="line" id="equipment-5" hidden>/);
    const preview = await reseller.post('/revendeur/dossiers', { ...fields, _action: 'apercu' });
    // 10 000 € over 36 monthly rents at 6 %, VR 1 %: 300,18 € (domain.md's check), the last one absorbing the rounding.
    expect(preview.body).toMatch(/35 loyers mensuels de 300,18\s€ HT/);
    expect(valueOf(preview.body, 'company-siren')).toBe(DEMO.passports.sixModules.siren);
  });
});

describe('a hard case from the reseller to the bank and the créateur', () => {
  let dossierPath: string;
  let id: string;

  it('goes to the bank’s queue with its reasons and the time left', async () => {
    const restaurant = demoDossier({
      company: { siren: DEMO.passports.restaurant.siren, legalName: 'Bistrot des Alpes', naf: '56.10A' },
      passportNumber: DEMO.passports.restaurant.number,
    });
    const res = await reseller.post('/revendeur/dossiers', dossierFormFields(restaurant, crypto.randomUUID()));
    expect(res.statusCode).toBe(303);
    dossierPath = res.headers.location!.split('?')[0]!;
    id = dossierPath.split('/').at(-1)!;
    const page = await reseller.get(dossierPath);
    expect(page.body).toContain('La banque étudie ce dossier');
    expect(page.body).toMatch(/23 h 5\d restantes/);

    const bank = await signIn(api.app, demoEmail('bank', DEMO.banks.alpes));
    const queue = await bank.get('/banque');
    expect(queue.body).toContain(`/banque/dossiers/${id}`);
    expect(queue.body).toContain('Secteur à risque pour la banque');
    expect(queue.body).toMatch(/data-deadline="[^"]+">23 h 5\d restantes/);
  });

  it('refuses conditions that are not lower than asked, next to their field, then records the accord with conditions', async () => {
    const bank = await signIn(api.app, demoEmail('bank', DEMO.banks.alpes));
    await bank.get(`/banque/dossiers/${id}`);
    const bad = await bank.post(`/banque/dossiers/${id}/decision`, {
      decision: 'approve',
      'conditions.amount': '20 000',
      'conditions.durationMonths': '24',
      'conditions.deposit': '',
    });
    expect(bad.statusCode).toBe(422);
    expect(textOf(bad.body, 'conditions-amount-erreur')).toMatch(/Inférieur au montant demandé/);
    expect(valueOf(bad.body, 'conditions-amount')).toBe('20 000');

    const noReason = await bank.post(`/banque/dossiers/${id}/decision`, { decision: 'decline', reasonCode: '', text: '' });
    expect(noReason.statusCode).toBe(422);
    expect(textOf(noReason.body, 'reasonCode-erreur')).toMatch(/Motif de refus inconnu/);

    const ok = await bank.post(`/banque/dossiers/${id}/decision`, {
      decision: 'approve',
      'conditions.amount': '8 000',
      'conditions.deposit': '500',
      'conditions.text': 'Assurance du matériel',
    });
    expect(ok.statusCode).toBe(303);
    const page = await bank.get(ok.headers.location!);
    expect(page.body).toContain('Décision enregistrée.');
    expect(page.body).toContain('Financement accordé');
    expect(page.body).toContain('Bruno Fabre');
    expect(page.body).toMatch(/Montant financé ramené à 8\s000,00\s€ HT/);
    // Decided once: a second decision is refused with the reason in words.
    const twice = await bank.post(`/banque/dossiers/${id}/decision`, { decision: 'decline', reasonCode: 'risk', text: 'Non' });
    expect(twice.statusCode).toBe(409);
  });

  it('tells the créateur in plain words what is financed, what it costs and what comes next', async () => {
    const creator = await signIn(api.app, demoEmail('creator', DEMO.passports.restaurant.siren));
    const home = await creator.get('/createur');
    expect(home.body).toContain(`/createur/dossiers/${id}`);
    const page = await creator.get(`/createur/dossiers/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Bonne nouvelle : la banque finance votre équipement.');
    expect(page.body).toMatch(/La banque finance 8\s000,00\s€ hors taxes/);
    // The rents on the accord's amount: 8 000 € over 36 months at 6 %, VR 1 %.
    expect(page.body).toMatch(/loyers mensuels de 240,1\d\s€ HT/);
    expect(page.body).toContain('Ce que signer veut dire');
    expect(page.body).toContain('Le contrat est en préparation');
    expect(page.body).toContain('jamais envoyé');
  });
});

describe('dossiers decided by default', () => {
  it('are listed for the bank with the rule that decided, and explained to the reseller', async () => {
    const hard = demoDossier({
      company: { siren: DEMO.passports.restaurant.siren, legalName: 'Bistrot sans réponse', naf: '56.10A' },
      passportNumber: DEMO.passports.restaurant.number,
    });
    const res = await reseller.post('/revendeur/dossiers', dossierFormFields(hard, crypto.randomUUID()));
    const id = res.headers.location!.split('?')[0]!.split('/').at(-1)!;
    // What the workflow records at the deadline (the workflow's own timer is tested in test/integration).
    const activities = createDossierActivities({ sql: api.sql, guarantor: createLocalGuarantor(api.sql) });
    await activities.recordDecision(id, { ...deadlineDefaultDecision('decline', null, 86_400), decidedAt: new Date().toISOString() });

    const bank = await signIn(api.app, demoEmail('bank', DEMO.banks.alpes));
    const list = await bank.get('/banque/defaut');
    expect(list.body).toContain(`/banque/dossiers/${id}`);
    expect(list.body).toContain('Bistrot sans réponse');
    expect(list.body).toMatch(/par défaut, le /);
    expect((await bank.get('/banque')).body).not.toContain(id);
    const page = await reseller.get(`/revendeur/dossiers/${id}`);
    expect(page.body).toContain('Financement refusé');
    expect(page.body).toContain('décision par défaut : la banque n’a pas répondu dans le délai');
    expect(page.body).toContain('analyse non réalisée dans le délai de 24 heures');
  });
});

describe('barometers', () => {
  it('counts the programme’s dossiers by bank for the operator, and a bank’s own only for a bank, with a CSV', async () => {
    const admin = await signIn(api.app, demoEmail('admin'));
    const page = await admin.get('/barometres?par=bank');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Banque Populaire des Alpes (démo)');
    expect(page.body).toMatch(/<svg[^>]*role="img"/);
    const csv = await admin.get('/v1/barometers?by=region&format=csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toMatch(/^Région;Code;Dossiers;/);
    const alps = lines.find((l) => l.startsWith('Auvergne-Rhône-Alpes;'));
    expect(Number(alps?.split(';')[2])).toBe(await dossierCount());

    const otherBank = await signIn(api.app, demoEmail('bank', DEMO.banks.cooperatif));
    const own = await otherBank.get('/v1/barometers?by=bank');
    expect(JSON.parse(own.body)).toEqual({ by: 'bank', bankId: DEMO.banks.cooperatif, rows: [] });
  });
});

describe('the operator’s accounts', () => {
  it('creates an account with a password shown once, refuses a second with the same address, and disables it', async () => {
    const admin = await signIn(api.app, demoEmail('admin'));
    const email = `nouveau-${crypto.randomBytes(3).toString('hex')}@credcoop.demo`;
    const created = await admin.post('/admin/comptes', { displayName: 'Nina Nouvelle', email, role: 'bank', organisationId: DEMO.banks.cooperatif, password: '' });
    expect(created.statusCode).toBe(200);
    const password = /<code class="secret">([^<]+)<\/code>/.exec(created.body)?.[1];
    expect(password).toMatch(/^[a-zA-Z0-9-]{23}$/);
    const nina = await signIn(api.app, email, password);
    expect((await nina.get('/banque')).statusCode).toBe(200);

    const twice = await admin.post('/admin/comptes', { displayName: 'Nina Bis', email, role: 'bank', organisationId: DEMO.banks.cooperatif, password: '' });
    expect(twice.statusCode).toBe(409);
    expect(textOf(twice.body, 'email-erreur')).toMatch(/Un compte existe déjà/);
    const wrongKind = await admin.post('/admin/comptes', { displayName: 'X', email: `x-${email}`, role: 'reseller', organisationId: DEMO.banks.cooperatif, password: '' });
    expect(textOf(wrongKind.body, 'organisationId-erreur')).toMatch(/ne convient pas à ce rôle/);

    const [row] = await api.sql<{ id: string }[]>`select id from accounts where email = ${email}`;
    const disabled = await admin.post(`/admin/comptes/${row!.id}/desactivation`, {});
    expect(disabled.body).toContain('ses sessions ont pris fin');
    expect((await nina.get('/banque')).statusCode).toBe(303);
    const again = browser(api.app);
    await again.get('/connexion');
    expect((await again.post('/connexion', { email, password: password! })).statusCode).toBe(401);
  });
});

describe('escaping', () => {
  it('shows what people typed as text, never as markup', async () => {
    const hostile = demoDossier({ company: { legalName: '<script>alert("x")</script> & <b>Cie</b>' } });
    const res = await reseller.post('/revendeur/dossiers', dossierFormFields(hostile, crypto.randomUUID()));
    const page = await reseller.get(res.headers.location!);
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;Cie&lt;/b&gt;');
  });
});

describe('the archivist', () => {
  it('verifies an uploaded file and says clearly when it is not a signed PDF', async () => {
    const archivist = await signIn(api.app, demoEmail('archivist'));
    const page = await archivist.get('/archiviste');
    const boundary = 'x-boundary-1';
    const body = [
      `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${archivist.csrf}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="fichier"; filename="lettre.pdf"\r\nContent-Type: application/pdf\r\n\r\nceci n'est pas un PDF\r\n`,
      `--${boundary}--\r\n`,
    ].join('');
    const res = await api.app.inject({
      method: 'POST',
      url: '/archiviste/verification',
      headers: { cookie: [...archivist.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: body,
    });
    expect(page.statusCode).toBe(200);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Rapport de vérification');
    expect(res.body).toMatch(/class="verdict-word">(Invalide|Non confirmé)</);
    expect(res.body).toMatch(/download="lettre-rapport\.html"/);
  });
});
