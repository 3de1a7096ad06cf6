/** The signing form's advice: one plain-French line for every refusal code the engine has, nothing for others. */
import { describe, expect, it } from 'vitest';
import { SIGNING_REFUSALS } from '../../domain/ceremony.ts';
import { adviceFor, SIGNING_ADVICE } from '../../web/client/signing-advice.ts';

describe('advice after a signing refusal', () => {
  it('has a French sentence for every refusal code of the domain, and no other', () => {
    expect(Object.keys(SIGNING_ADVICE).sort()).toEqual([...SIGNING_REFUSALS].sort());
    for (const code of SIGNING_REFUSALS) expect(adviceFor(code), code).toMatch(/^[A-ZÀ-Ý].{10,}\.$/);
  });

  it('says nothing for an unknown code or one borrowed from Object.prototype', () => {
    for (const code of [undefined, '', 'inconnu', 'toString', '__proto__', 'constructor']) expect(adviceFor(code), String(code)).toBeUndefined();
  });
});
