/**
 * Builds CMS SignedData (signatures and RFC 3161 tokens) and re-signs certificates with
 * any AlgorithmIdentifier, using asn1js and @peculiar/asn1-x509 (independent of asn1/):
 * OpenSSL 3.0 cannot sign CMS with Ed25519, nor write an RSA-PSS trailerField.
 */
import * as asn1js from 'asn1js';
import { createHash } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate } from '@peculiar/asn1-x509';

export interface Algorithm {
  oid: string;
  /** DER of the parameters, when there are any. */
  params?: Uint8Array;
}

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  data: '1.2.840.113549.1.7.1',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
};
const DIGEST_OID = { sha256: '2.16.840.1.101.3.4.2.1', sha512: '2.16.840.1.101.3.4.2.3' } as const;

const fromDer = (der: Uint8Array) => asn1js.fromBER(new Uint8Array(der).buffer).result;
const tagged = (tag: number, value: asn1js.AsnType[]) => new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: tag }, value });
const algorithmId = (a: Algorithm) => new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: a.oid }), ...(a.params ? [fromDer(a.params)] : [])] });
const attribute = (type: string, value: asn1js.AsnType) => new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: type }), new asn1js.Set({ value: [value] })] });

/** RSASSA-PSS-params: hash, MGF1 hash, salt length and, when given, a trailerField. */
export function pssParams(hash: keyof typeof DIGEST_OID, mgf1Hash: keyof typeof DIGEST_OID | 'sha1', saltLength: number, trailerField?: number): Uint8Array {
  const digest = (name: string) =>
    new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: name === 'sha1' ? '1.3.14.3.2.26' : DIGEST_OID[name as keyof typeof DIGEST_OID] })] });
  return new Uint8Array(
    new asn1js.Sequence({
      value: [
        tagged(0, [digest(hash)]),
        tagged(1, [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.1.8' }), digest(mgf1Hash)] })]),
        tagged(2, [new asn1js.Integer({ value: saltLength })]),
        ...(trailerField === undefined ? [] : [tagged(3, [new asn1js.Integer({ value: trailerField })])]),
      ],
    }).toBER(),
  );
}

/** The certificate with its signature algorithm (inner and outer) replaced, signed again by `sign`. */
export function resignCertificate(der: Uint8Array, algorithm: Algorithm, sign: (tbs: Uint8Array) => Uint8Array): Uint8Array {
  const cert = AsnConvert.parse(der, Certificate);
  const id = new AlgorithmIdentifier({ algorithm: algorithm.oid, ...(algorithm.params ? { parameters: new Uint8Array(algorithm.params).buffer } : {}) });
  cert.tbsCertificate.signature = id;
  cert.signatureAlgorithm = id;
  cert.signatureValue = sign(new Uint8Array(AsnConvert.serialize(cert.tbsCertificate))) as unknown as ArrayBuffer;
  return new Uint8Array(AsnConvert.serialize(cert));
}

export interface SignedDataOptions {
  /** The signer's certificate (DER): its issuer and serial name it in the SignerInfo, ESSCertIDv2 its hash. */
  signer: Uint8Array;
  certificates: Uint8Array[];
  digest: keyof typeof DIGEST_OID;
  signatureAlgorithm: Algorithm;
  /** Signs the DER of the signed attributes (SET OF). */
  sign: (signedAttributes: Uint8Array) => Uint8Array;
  /** Detached content (a signature)… */
  detached?: Uint8Array;
  /** …or encapsulated content of this type (a TSTInfo for a timestamp token). */
  encapsulated?: { type: string; content: Uint8Array };
}

/** A ContentInfo with one SignerInfo and the signed attributes content-type, message-digest and signing-certificate-v2. */
export function signedData(o: SignedDataOptions): Uint8Array {
  const cert = AsnConvert.parse(o.signer, Certificate);
  const content = o.encapsulated?.content ?? o.detached!;
  const contentType = o.encapsulated?.type ?? OID.data;
  const attributes = [
    attribute(OID.contentType, new asn1js.ObjectIdentifier({ value: contentType })),
    attribute(OID.messageDigest, new asn1js.OctetString({ valueHex: createHash(o.digest).update(content).digest() })),
    attribute(
      OID.signingCertificateV2,
      new asn1js.Sequence({
        value: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: createHash('sha256').update(o.signer).digest() })] })] })],
      }),
    ),
  ];
  const signature = o.sign(new Uint8Array(new asn1js.Set({ value: attributes }).toBER()));
  const digestAlgorithm = algorithmId({ oid: DIGEST_OID[o.digest] });
  const signerInfo = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 1 }),
      new asn1js.Sequence({
        value: [fromDer(new Uint8Array(AsnConvert.serialize(cert.tbsCertificate.issuer))), new asn1js.Integer({ valueHex: new Uint8Array(cert.tbsCertificate.serialNumber) })],
      }),
      digestAlgorithm,
      tagged(0, attributes),
      algorithmId(o.signatureAlgorithm),
      new asn1js.OctetString({ valueHex: signature }),
    ],
  });
  const encap = new asn1js.Sequence({
    value: [new asn1js.ObjectIdentifier({ value: contentType }), ...(o.encapsulated ? [tagged(0, [new asn1js.OctetString({ valueHex: o.encapsulated.content })])] : [])],
  });
  const sd = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: o.encapsulated ? 3 : 1 }),
      new asn1js.Set({ value: [digestAlgorithm] }),
      encap,
      tagged(0, o.certificates.map(fromDer)),
      new asn1js.Set({ value: [signerInfo] }),
    ],
  });
  return new Uint8Array(new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.signedData }), tagged(0, [sd])] }).toBER());
}
