/**
 * The one-page dossier a reseller submits: one zod schema serves validation
 * (French messages), types and OpenAPI. Only structural checks live here;
 * the checks against registries are in eligibility.ts.
 */
import { z } from 'zod';
import { isValidSiren } from './siren.ts';
import { NAF_PATTERN } from './naf.ts';
import { ageInYears, isCalendarDate } from './dates.ts';
import { hasVisibleCharacter } from './text.ts';
import { DURATIONS_MONTHS, PERIODICITIES, PRODUCTS, hasAtMostTwoDecimals } from './financing.ts';

export const EQUIPMENT_CATEGORIES = [
  'poste_de_travail',
  'portable',
  'serveur',
  'impression_numerisation',
  'reseau_telecom',
  'logiciel',
  'securite',
  'dematerialisation',
  'services',
] as const;
export type EquipmentCategory = (typeof EQUIPMENT_CATEGORIES)[number];

export const MAX_EQUIPMENT_LINES = 12;
export const MAX_RESIDUAL_VALUE_PERCENT = 25;
export const MAX_FIRST_RENT_INCREASE_PERCENT = 20;
/** The dirigeant signs a contract: an adult, and a plausible age. */
export const MIN_DIRIGEANT_AGE_YEARS = 18;
export const MAX_DIRIGEANT_AGE_YEARS = 120;
/** Guards against absurd inputs and keeps every product of cents a safe integer. */
const MAX_QUANTITY = 10_000;
const MAX_UNIT_PRICE_CENTS = 100_000_000; // 1 000 000 €

/** Strict objects with French messages for unknown fields and wrong types. */
function strictObject<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') {
        const keys = issue.keys.join(', ');
        return issue.keys.length > 1 ? `Champs inconnus : ${keys}` : `Champ inconnu : ${keys}`;
      }
      if (issue.code === 'invalid_type') return 'Un objet est attendu';
      return undefined;
    },
  });
}

function text(label: string, max: number) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? `${label} : à renseigner` : `${label} : texte attendu`) })
    .trim()
    .min(1, `${label} : à renseigner`)
    .max(max, `${label} : ${max} caractères au plus`)
    .refine((s) => s === '' || hasVisibleCharacter(s), `${label} : à renseigner (des caractères invisibles seuls ne suffisent pas)`);
}

function calendarDate(label: string) {
  return z.string({ error: `${label} : date attendue (AAAA-MM-JJ)` }).refine(isCalendarDate, `${label} : date invalide, au format AAAA-MM-JJ (par exemple 2024-03-15)`);
}

function percent(label: string, max: number) {
  return z
    .number({ error: `${label} : nombre attendu` })
    .min(0, `${label} : ne peut pas être négatif`)
    .max(max, `${label} : ${max} % au plus`)
    .refine(hasAtMostTwoDecimals, `${label} : deux décimales au plus`);
}

const FRENCH_MOBILE = /^(?:0|\+33 ?)[67](?:[ .]?\d{2}){4}$/;

/** The financing terms, one schema for the dossier and the quote (api/routes/quotes.ts). */
export const financingFields = {
  product: z.enum(PRODUCTS, { error: 'Produit : crédit-bail (credit_bail) ou location financière (location_financiere)' }),
  durationMonths: z.literal(DURATIONS_MONTHS, { error: 'La durée est de 24, 36, 48 ou 60 mois' }),
  periodicity: z.enum(PERIODICITIES, { error: 'Périodicité : mensuelle (monthly) ou trimestrielle (quarterly)' }),
  firstRentIncreasePercent: percent('Majoration du premier loyer', MAX_FIRST_RENT_INCREASE_PERCENT).default(0),
  /** Crédit-bail only; 1 % when absent (see effectiveResidualValuePercent). */
  residualValuePercent: percent('Valeur résiduelle', MAX_RESIDUAL_VALUE_PERCENT).optional(),
};

/** Location financière has no residual value. */
export function refineFinancing(f: { product: string; residualValuePercent?: number | undefined }, ctx: z.RefinementCtx): void {
  if (f.product === 'location_financiere' && f.residualValuePercent !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['residualValuePercent'],
      message: "La location financière n'a pas de valeur résiduelle : retirez ce champ ou choisissez le crédit-bail",
    });
  }
}

export interface DossierSchemaOptions {
  /** Today's Paris date ('YYYY-MM-DD'): refuses creation and birth dates in the future. */
  today?: string;
}

export function buildDossierSchema(options: DossierSchemaOptions = {}) {
  const { today } = options;
  const notAfterToday = (label: string) => calendarDate(label).refine((d) => today === undefined || d <= today, `${label} : ne peut pas être dans le futur`);

  const company = strictObject({
    siren: z
      .string({ error: 'SIREN : texte attendu' })
      .regex(/^\d{9}$/, 'Le SIREN doit compter 9 chiffres, sans espace')
      .refine(isValidSiren, "Ce SIREN n'existe pas : vérifiez les 9 chiffres (clé de contrôle fausse)"),
    legalName: text('Raison sociale', 120),
    legalForm: text('Forme juridique', 60),
    naf: z.string({ error: 'Code NAF : texte attendu' }).regex(NAF_PATTERN, 'Code NAF (APE) au format 00.00A, par exemple 62.02A'),
    creationDate: notAfterToday("Date de création de l'entreprise"),
    postcode: z.string({ error: 'Code postal : texte attendu' }).regex(/^\d{5}$/, 'Le code postal compte 5 chiffres'),
    city: text('Ville', 80),
  });

  const dirigeant = strictObject({
    firstName: text('Prénom', 60),
    lastName: text('Nom', 60),
    birthDate: notAfterToday('Date de naissance').refine(
      (d) => today === undefined || !isCalendarDate(d) || d > today || (ageInYears(d, today) >= MIN_DIRIGEANT_AGE_YEARS && ageInYears(d, today) <= MAX_DIRIGEANT_AGE_YEARS),
      `Date de naissance : le dirigeant a entre ${MIN_DIRIGEANT_AGE_YEARS} et ${MAX_DIRIGEANT_AGE_YEARS} ans`,
    ),
    email: z.email({ error: 'Adresse e-mail invalide' }).max(254, 'Adresse e-mail trop longue'),
    mobile: z.string({ error: 'Mobile : texte attendu' }).regex(FRENCH_MOBILE, 'Numéro de mobile français attendu : 06 ou 07, ou +33 6 ou +33 7, suivi de 8 chiffres'),
  });

  const equipmentLine = strictObject({
    description: text("Description de l'équipement", 200),
    category: z.enum(EQUIPMENT_CATEGORIES, { error: "Catégorie d'équipement inconnue" }),
    quantity: z
      .number({ error: 'Quantité : nombre attendu' })
      .int('La quantité est un nombre entier')
      .min(1, 'La quantité est au moins 1')
      .max(MAX_QUANTITY, `La quantité est au plus ${MAX_QUANTITY}`),
    unitPriceCents: z
      .number({ error: 'Prix unitaire : nombre attendu (en centimes)' })
      .int('Le prix unitaire est en centimes entiers')
      .min(0, 'Le prix unitaire ne peut pas être négatif')
      .max(MAX_UNIT_PRICE_CENTS, 'Le prix unitaire est au plus 1 000 000 € HT'),
  });

  const financing = strictObject(financingFields).superRefine(refineFinancing);

  return strictObject({
    resellerId: text('Numéro de label du revendeur', 40),
    bankId: text('Banque', 40),
    company,
    dirigeant,
    passportNumber: text('Numéro de Passeport', 40),
    equipment: z
      .array(equipmentLine, { error: 'La liste des équipements est attendue' })
      .min(1, "Au moins une ligne d'équipement")
      .max(MAX_EQUIPMENT_LINES, `Au plus ${MAX_EQUIPMENT_LINES} lignes d'équipement`),
    financing,
    consent: z.literal(true, { error: 'Le consentement du créateur aux vérifications est obligatoire' }),
  });
}

/** Structural schema without "today" (for types and OpenAPI). */
export const DossierSchema = buildDossierSchema();
export type Dossier = z.infer<typeof DossierSchema>;
export type DossierInput = z.input<typeof DossierSchema>;
export type EquipmentLine = Dossier['equipment'][number];

let cached: { today: string; schema: typeof DossierSchema } | null = null;

/** The schema that also refuses dates after `today` (Paris date 'YYYY-MM-DD'). */
export function dossierSchemaAt(today: string): typeof DossierSchema {
  if (!isCalendarDate(today)) throw new RangeError(`today must be YYYY-MM-DD: ${today}`);
  if (cached?.today !== today) cached = { today, schema: buildDossierSchema({ today }) };
  return cached.schema;
}

export interface FieldError {
  /** 'company.siren', 'equipment.3.quantity', '' for the whole body. */
  path: string;
  message: string;
}

export type DossierValidation = { ok: true; dossier: Dossier } | { ok: false; errors: FieldError[] };

export function validateDossierAt(input: unknown, today: string): DossierValidation {
  const result = dossierSchemaAt(today).safeParse(input);
  if (result.success) return { ok: true, dossier: result.data };
  const errors = result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  // One entry per path: the first failed check says what to fix.
  return { ok: false, errors: errors.filter((e, i) => errors.findIndex((o) => o.path === e.path) === i) };
}

export function lineTotalCents(line: EquipmentLine): number {
  return line.quantity * line.unitPriceCents;
}

/** Amount excl. VAT to finance: the sum of the lines, in cents. */
export function totalAmountCents(dossier: Pick<Dossier, 'equipment'>): number {
  return dossier.equipment.reduce((sum, line) => sum + lineTotalCents(line), 0);
}
