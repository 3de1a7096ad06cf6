/** Builds OCSP responses with asn1js (independent of the code under test) for the validation tests. */
import * as asn1js from 'asn1js';
import { createHash, webcrypto } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { ecdsaRawToDer } from '../../../asn1/index.ts';
import type { Issued } from './fixtures.ts';

export interface OcspEntry {
  cert: Issued;
  status: 'good' | 'revoked' | 'unknown';
  revokedAt?: Date;
  reason?: number;
  thisUpdate?: Date;
  nextUpdate?: Date | null;
  hash?: 'sha1' | 'sha256';
}

const HASH_OID = { sha1: '1.3.14.3.2.26', sha256: '2.16.840.1.101.3.4.2.1' };

const fromDer = (der: ArrayBuffer | Uint8Array) => asn1js.fromBER(der instanceof Uint8Array ? new Uint8Array(der).buffer : der).result;
const seconds = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);
const time = (d: Date) => new asn1js.GeneralizedTime({ valueDate: seconds(d) });
const tagged = (tag: number, value: asn1js.AsnType[]) => new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: tag }, value });

function parts(issued: Issued) {
  const cert = AsnConvert.parse(issued.der, Certificate);
  return {
    nameDer: AsnConvert.serialize(cert.tbsCertificate.subject),
    keyBits: new Uint8Array(cert.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey),
    serial: new Uint8Array(cert.tbsCertificate.serialNumber),
  };
}

export async function buildOcspResponse(o: {
  issuer: Issued;
  signer: Issued;
  entries: OcspEntry[];
  producedAt?: Date;
  byKey?: boolean;
  certs?: Issued[];
  bare?: boolean;
  corruptSignature?: boolean;
}): Promise<Uint8Array> {
  const issuer = parts(o.issuer);
  const singles = o.entries.map((e) => {
    const h = e.hash ?? 'sha1';
    const certId = new asn1js.Sequence({
      value: [
        new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: HASH_OID[h] }), new asn1js.Null()] }),
        new asn1js.OctetString({ valueHex: createHash(h).update(new Uint8Array(issuer.nameDer)).digest() }),
        new asn1js.OctetString({ valueHex: createHash(h).update(issuer.keyBits).digest() }),
        new asn1js.Integer({ valueHex: parts(e.cert).serial }),
      ],
    });
    const status =
      e.status === 'revoked'
        ? tagged(1, [time(e.revokedAt!), ...(e.reason !== undefined ? [tagged(0, [new asn1js.Enumerated({ value: e.reason })])] : [])])
        : new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: e.status === 'good' ? 0 : 2 } });
    const next = e.nextUpdate === null ? [] : [tagged(0, [time(e.nextUpdate ?? new Date(Date.now() + 86_400_000))])];
    return new asn1js.Sequence({ value: [certId, status, time(e.thisUpdate ?? new Date(Date.now() - 60_000)), ...next] });
  });
  const signer = parts(o.signer);
  const responderId = o.byKey ? tagged(2, [new asn1js.OctetString({ valueHex: createHash('sha1').update(signer.keyBits).digest() })]) : tagged(1, [fromDer(signer.nameDer)]);
  const tbs = new asn1js.Sequence({ value: [responderId, time(o.producedAt ?? new Date()), new asn1js.Sequence({ value: singles })] }).toBER();
  const raw = new Uint8Array(await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, o.signer.keys.privateKey, tbs));
  const signature = ecdsaRawToDer(raw);
  if (o.corruptSignature) signature[signature.length - 1]! ^= 0x01;
  const basic = new asn1js.Sequence({
    value: [
      fromDer(tbs),
      new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: '1.2.840.10045.4.3.2' })] }),
      new asn1js.BitString({ valueHex: signature }),
      ...(o.certs ? [tagged(0, [new asn1js.Sequence({ value: o.certs.map((c) => fromDer(c.der)) })])] : []),
    ],
  }).toBER();
  if (o.bare) return new Uint8Array(basic);
  const response = new asn1js.Sequence({
    value: [
      new asn1js.Enumerated({ value: 0 }),
      tagged(0, [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: '1.3.6.1.5.5.7.48.1.1' }), new asn1js.OctetString({ valueHex: basic })] })]),
    ],
  });
  return new Uint8Array(response.toBER());
}
