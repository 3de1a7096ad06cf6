/**
 * Text the engine can store and show: well-formed Unicode (no lone UTF-16
 * surrogate, which PostgreSQL refuses in JSON) without U+0000 (refused in text
 * and JSON), and — for names — at least one visible character (a lone
 * zero-width space is not a name).
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

/** True when `text` holds no lone surrogate and no U+0000. */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

export function hasVisibleCharacter(text: string): boolean {
  return VISIBLE.test(text);
}

/** Why a text cannot be stored, in French, or null. */
export function unstorableTextReason(text: string): string | null {
  if (text.includes('\u0000')) return 'Caractère nul (\\u0000) interdit';
  if (LONE_SURROGATE.test(text)) return 'Texte Unicode mal formé (demi-paire de substitution UTF-16 isolée)';
  return null;
}

/**
 * Paths ('company.legalName', 'equipment.0.description') of the strings and
 * keys in a parsed JSON value that cannot be stored, with the reason. The walk
 * is iterative: a deeply nested value cannot exhaust the stack.
 */
export function unstorableTextPaths(value: unknown): { path: string; message: string }[] {
  const found: { path: string; message: string }[] = [];
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === 'string') {
      const reason = unstorableTextReason(current);
      if (reason) found.push({ path: path.join('.'), message: reason });
    } else if (Array.isArray(current)) {
      current.forEach((item, i) => stack.push({ value: item, path: [...path, String(i)] }));
    } else if (current !== null && typeof current === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(current))) {
      // Only parsed JSON is walked: a Buffer (binary bodies of other route families) holds no text.
      for (const [key, item] of Object.entries(current)) {
        const reason = unstorableTextReason(key);
        if (reason) found.push({ path: [...path, key].join('.'), message: reason });
        stack.push({ value: item, path: [...path, key] });
      }
    }
  }
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
