import { describe, expect, it } from 'vitest';
import { Asn1Error, integer, oid, parse, parsePrefix, seq } from '../../asn1/index.ts';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

function refused(run: () => unknown, code: Asn1Error['code'], message: RegExp): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(Asn1Error);
    expect((error as Asn1Error).code).toBe(code);
    expect((error as Asn1Error).message).toMatch(message);
    return;
  }
  throw new Error('accepté à tort');
}

describe('the DER reader', () => {
  // SEQUENCE, indefinite length { OCTET STRING constructed, indefinite { "ab", "cd" } }
  const ber = hex('30 80 24 80 04 02 6162 04 02 6364 0000 0000');

  it('reads DER and keeps every element’s exact bytes', () => {
    const der = hex('30 06 02 01 05 04 01 ff');
    const node = parse(der);
    expect(node.children.map((c) => Buffer.from(c.raw).toString('hex'))).toEqual(['020105', '0401ff']);
    expect(node.child(0, 'entier').integer()).toBe(5n);
    expect(node.child(1, 'octets').octets()).toEqual(hex('ff'));
  });

  it('refuses BER in DER mode: indefinite and non-minimal lengths, constructed strings', () => {
    refused(() => parse(ber), 'MALFORMED', /longueur indéfinie/);
    refused(() => parse(hex('30 81 03 02 01 05')), 'MALFORMED', /longueur non minimale/);
    refused(() => parse(hex('30 82 00 03 02 01 05')), 'MALFORMED', /longueur non minimale/);
    refused(() => parse(hex('24 04 04 02 6162')), 'MALFORMED', /chaîne construite/);
  });

  it('reads BER when asked: indefinite lengths end at their end-of-contents, constructed strings are joined', () => {
    const node = parse(ber, { ber: true });
    expect(node.end).toBe(ber.length);
    expect(Buffer.from(node.child(0, 'chaîne').octets()).toString('latin1')).toBe('abcd');
    expect(parse(hex('30 81 03 02 01 05'), { ber: true }).child(0, 'entier').integer()).toBe(5n);
    refused(() => parse(hex('30 80 02 01 05'), { ber: true }), 'MALFORMED', /sans fin de contenu/);
  });

  it('a prefix stops at the element’s end; a whole parse refuses what follows', () => {
    const padded = hex('30 03 02 01 07 00 00 00');
    expect(parsePrefix(padded).end).toBe(5);
    refused(() => parse(padded), 'MALFORMED', /3 octets en trop/);
  });

  it('is bounded: nesting deeper than 40 levels and element counts over the limit are refused', () => {
    let deep: Uint8Array = hex('05 00');
    for (let i = 0; i < 45; i++) deep = seq(deep);
    refused(() => parse(deep), 'LIMIT_EXCEEDED', /40 niveaux/);
    const wide = seq(...Array.from({ length: 50 }, () => hex('05 00')));
    expect(parse(wide).children).toHaveLength(50);
    refused(() => parse(wide, { maxElements: 10 }), 'LIMIT_EXCEEDED', /plus de 10 éléments/);
  });

  it('reads OIDs with arcs above 2^53 (UUID arcs), as the writer writes them', () => {
    const dotted = '2.25.283787995737982372574867160881503373376.1.3';
    expect(parse(oid(dotted)).oid()).toBe(dotted);
    refused(() => parse(hex('06 02 2a 86')).oid(), 'MALFORMED', /OID tronqué/);
  });

  it('values: minimal integers, DER booleans and times; high tag numbers', () => {
    expect(parse(integer(2n ** 70n)).integer()).toBe(2n ** 70n);
    refused(() => parse(hex('02 02 00 05')).integer(), 'MALFORMED', /entier non minimal/);
    refused(() => parse(hex('01 01 01')).boolean(), 'MALFORMED', /booléen invalide/);
    expect(parse(hex('01 01 01'), { ber: true }).boolean()).toBe(true);
    const utc = (text: string) => Uint8Array.from([0x17, text.length, ...Buffer.from(text, 'latin1')]);
    expect(parse(utc('260115103000Z')).time().toISOString()).toBe('2026-01-15T10:30:00.000Z');
    refused(() => parse(utc('2601151030Z')).time(), 'MALFORMED', /date illisible/);
    expect(parse(utc('2601151030Z'), { ber: true }).time().toISOString()).toBe('2026-01-15T10:30:00.000Z');
    refused(() => parse(utc('260231103000Z')).time(), 'MALFORMED', /date invalide/);
    const high = parse(hex('bf 87 68 03 02 01 01'));
    expect([high.isContext(1000), high.constructed, high.child(0, 'entier').integer()]).toEqual([true, true, 1n]);
    refused(() => parse(hex('9f 05 00')), 'MALFORMED', /étiquette non minimale/);
  });
});
