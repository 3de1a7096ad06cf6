/** « 2026-11-24 16:48:32 UTC »: how dates appear in validation reasons. */
export function formatDate(date: Date): string {
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, ' UTC');
}
