/**
 * French departments and their regions (the 2016 map, with the five overseas
 * regions), for the programme's figures by region. A department is the first
 * two digits of a postcode, 2A/2B in Corsica, three digits overseas.
 */
const REGIONS: Record<string, string[]> = {
  'Auvergne-Rhône-Alpes': ['01', '03', '07', '15', '26', '38', '42', '43', '63', '69', '73', '74'],
  'Bourgogne-Franche-Comté': ['21', '25', '39', '58', '70', '71', '89', '90'],
  Bretagne: ['22', '29', '35', '56'],
  'Centre-Val de Loire': ['18', '28', '36', '37', '41', '45'],
  Corse: ['2A', '2B'],
  'Grand Est': ['08', '10', '51', '52', '54', '55', '57', '67', '68', '88'],
  'Hauts-de-France': ['02', '59', '60', '62', '80'],
  'Île-de-France': ['75', '77', '78', '91', '92', '93', '94', '95'],
  Normandie: ['14', '27', '50', '61', '76'],
  'Nouvelle-Aquitaine': ['16', '17', '19', '23', '24', '33', '40', '47', '64', '79', '86', '87'],
  Occitanie: ['09', '11', '12', '30', '31', '32', '34', '46', '48', '65', '66', '81', '82'],
  'Pays de la Loire': ['44', '49', '53', '72', '85'],
  'Provence-Alpes-Côte d’Azur': ['04', '05', '06', '13', '83', '84'],
  Guadeloupe: ['971'],
  Martinique: ['972'],
  Guyane: ['973'],
  'La Réunion': ['974'],
  Mayotte: ['976'],
};

/** Department code → region name. */
export const DEPARTMENT_REGIONS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(REGIONS).flatMap(([region, departments]) => departments.map((d) => [d, region])),
);

/** The department of a French postcode: '38250' → '38', '20100' → '2A', '20200' → '2B', '97400' → '974'; null otherwise. */
export function departmentOf(postcode: string): string | null {
  if (!/^\d{5}$/.test(postcode)) return null;
  if (/^97[1-6]/.test(postcode)) return postcode.slice(0, 3);
  if (postcode.startsWith('20')) return /^20[01]/.test(postcode) ? '2A' : '2B';
  return postcode.slice(0, 2);
}
