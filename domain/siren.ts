/**
 * SIREN (9 digits) and SIRET (14 digits) checks: the Luhn key, with La Poste's
 * known exception (its SIREN 356000000 passes Luhn, but its establishments'
 * SIRETs follow "sum of the 14 digits is a multiple of 5").
 */
export const LA_POSTE_SIREN = '356000000';

export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    // Double every second digit counting from the right.
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function isValidSiren(siren: string): boolean {
  if (!/^\d{9}$/.test(siren)) return false;
  return siren === LA_POSTE_SIREN || luhnValid(siren);
}

export function isValidSiret(siret: string): boolean {
  if (!/^\d{14}$/.test(siret)) return false;
  if (siret.startsWith(LA_POSTE_SIREN)) {
    let sum = 0;
    for (const c of siret) sum += c.charCodeAt(0) - 48;
    return sum % 5 === 0;
  }
  return luhnValid(siret);
}
