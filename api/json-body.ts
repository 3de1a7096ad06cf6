/**
 * The API's JSON body parser: fastify's own (with its prototype-poisoning
 * checks) behind three guards — the body is JSON in UTF-8 (a `charset` other
 * than utf-8 is 415, bytes that are not UTF-8 are 400), and nested at most
 * MAX_JSON_DEPTH deep (a 3,000-deep body is 400, not a stack overflow).
 */
import type { FastifyInstance } from 'fastify';
import { HttpProblem } from './problems.ts';

export const MAX_JSON_DEPTH = 32;

export function installJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  // Plain text is no JSON: 415, not a schema error about a string body.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1];
    if (charset && !/^utf-?8$/i.test(charset)) {
      done(
        new HttpProblem(
          415,
          'unsupported-media-type',
          'Format non pris en charge',
          `Le corps est annoncé en ${charset} : envoyez le JSON en UTF-8 (« Content-Type: application/json »).`,
        ),
        undefined,
      );
      return;
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body as Buffer);
    } catch {
      done(new HttpProblem(400, 'malformed-json', 'JSON illisible', "Le corps de la requête n'est pas encodé en UTF-8 valide."), undefined);
      return;
    }
    if (nestingDepth(text) > MAX_JSON_DEPTH) {
      done(
        new HttpProblem(
          400,
          'json-too-deep',
          'JSON trop imbriqué',
          `Le corps de la requête imbrique plus de ${MAX_JSON_DEPTH} niveaux d'objets ou de tableaux : un dossier en compte quatre.`,
        ),
        undefined,
      );
      return;
    }
    void parseJson(request, text, done);
  });
}

/** The deepest nesting of objects and arrays in JSON text, strings skipped; stops counting past the bound. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > MAX_JSON_DEPTH) return deepest;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}
