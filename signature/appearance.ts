import { nameAttribute, OID, parseCertificate } from '../asn1/index.ts';
import { rgsLevelOf, type PolicyLevelMap } from '../certs/policies.ts';
import { PdfDict, PdfName, PdfStream, PdfString, serialize } from '../pdf/index.ts';

export type Rect = [number, number, number, number];
export const DEFAULT_RECT: Rect = [36, 36, 296, 106];

export interface AppearanceText {
  signer: string;
  organisation?: string;
  rgsLevel?: 1 | 2 | 3 | null;
  date: Date;
}

/** Name, organisation and RGS level as the certificate states them. */
export function appearanceFromCertificate(der: Uint8Array, date: Date, policyMap?: PolicyLevelMap): AppearanceText {
  const cert = parseCertificate(der);
  const cn = nameAttribute(cert.subjectName, OID.commonName) ?? cert.subject;
  const o = nameAttribute(cert.subjectName, OID.organizationName);
  return { signer: cn, ...(o ? { organisation: o } : {}), rgsLevel: rgsLevelOf(cert.policies, policyMap), date };
}

export function frenchDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} à ${p(d.getUTCHours())}:${p(d.getUTCMinutes())} UTC`;
}

/** The /AP /N form XObject: a framed box with four lines of Helvetica. */
export function appearanceStream(text: AppearanceText, rect: Rect): PdfStream {
  const w = Math.abs(rect[2] - rect[0]);
  const h = Math.abs(rect[3] - rect[1]);
  const lines = [
    `Signé électroniquement par : ${text.signer}`,
    ...(text.organisation ? [`Organisation : ${text.organisation}`] : []),
    `Niveau : ${text.rgsLevel ? `RGS ${'*'.repeat(text.rgsLevel)}` : 'non qualifié RGS'}`,
    `Date : ${frenchDate(text.date)}`,
  ];
  const size = Math.max(5, Math.min(9, (h - 8) / (lines.length * 1.3)));
  const lead = size * 1.3;
  let ops = `q 0.95 0.96 1 rg 0 0 ${w} ${h} re f Q\nq 0.1 0.2 0.5 RG 0.8 w 0.4 0.4 ${w - 0.8} ${h - 0.8} re S Q\n`;
  ops += `BT 0 0 0 rg /F1 ${size.toFixed(2)} Tf ${lead.toFixed(2)} TL 5 ${(h - 4 - size).toFixed(2)} Td\n`;
  lines.forEach((l, i) => {
    ops += `${i ? 'T* ' : ''}${serialize(new PdfString(Buffer.from(l, 'latin1')))} Tj\n`;
  });
  ops += 'ET\n';
  const font = new PdfDict({ Type: new PdfName('Font'), Subtype: new PdfName('Type1'), BaseFont: new PdfName('Helvetica'), Encoding: new PdfName('WinAnsiEncoding') });
  const dict = new PdfDict({
    Type: new PdfName('XObject'),
    Subtype: new PdfName('Form'),
    BBox: [0, 0, w, h],
    Resources: new PdfDict({ Font: new PdfDict({ F1: font }) }),
  });
  return new PdfStream(dict, Buffer.from(ops, 'latin1'));
}
