/**
 * Signs a field that already exists in the PDF, with the signer's own parts
 * (incremental update, placeholders, CMS) from signature/. signPdf always adds
 * a new field and refuses a name already in use (« Un champ nommé … existe
 * déjà »): until signature/ learns to fill a named field (issue 11, item 6),
 * this is how the tests show that the contract's pre-placed fields take a
 * signature each. Only the field lookup and the /V it sets differ from
 * prepareSignature; B-B, SHA-256.
 */
import type { Signer } from '../../../certs/types.ts';
import { buildSignedData, estimateSignedDataSize, signedAttributes } from '../../../signature/cms/signed-data.ts';
import { pdfDate } from '../../../signature/levels.ts';
import { normaliseSignatureValue } from '../../../signature/pades.ts';
import { IncrementalUpdate, PdfDict, PdfName, PdfRef, PdfString, decodeText, openPdf } from '../../../pdf/index.ts';
import { BYTE_RANGE_PLACEHOLDER, CONTENTS_PLACEHOLDER, digestRanges, embedContents, fixByteRange } from '../../../signature/placeholder.ts';

export async function signExistingField(pdf: Uint8Array, signer: Signer, o: { fieldName: string; certify?: boolean; signingTime?: Date }): Promise<Buffer> {
  const reader = openPdf(pdf);
  const update = new IncrementalUpdate(reader);
  const sig = new PdfDict({
    Type: new PdfName('Sig'),
    Filter: new PdfName('Adobe.PPKLite'),
    SubFilter: new PdfName('ETSI.CAdES.detached'),
    M: new PdfString(Buffer.from(pdfDate(o.signingTime ?? new Date()), 'latin1')),
  });
  if (o.certify) {
    const params = new PdfDict({ Type: new PdfName('TransformParams'), P: 2, V: new PdfName('1.2') });
    sig.set('Reference', [new PdfDict({ Type: new PdfName('SigRef'), TransformMethod: new PdfName('DocMDP'), TransformParams: params })]);
  }
  sig.set('ByteRange', BYTE_RANGE_PLACEHOLDER());
  sig.set('Contents', CONTENTS_PLACEHOLDER(estimateSignedDataSize(signer.certificate, signer.chain)));
  const sigRef = update.add(sig);

  const catalog = reader.catalog();
  const acroRef = catalog.dict.get('AcroForm');
  const acro = reader.dict(acroRef);
  const fields = reader.resolve(acro?.get('Fields'));
  if (!(acroRef instanceof PdfRef) || !acro || !Array.isArray(fields)) throw new Error('no indirect /AcroForm with /Fields');
  const fieldRef = fields.find((f) => {
    const t = reader.dict(f)?.get('T');
    return t instanceof PdfString && decodeText(t.bytes) === o.fieldName;
  });
  if (!(fieldRef instanceof PdfRef)) throw new Error(`no field ${o.fieldName}`);
  update.set(fieldRef, reader.dict(fieldRef)!.clone().set('V', sigRef));
  update.set(acroRef, acro.clone().set('SigFlags', 3));
  if (o.certify) update.set(catalog.ref, catalog.dict.clone().set('Perms', new PdfDict({ DocMDP: sigRef })));

  const { bytes, offsets } = update.build();
  const slot = fixByteRange(bytes, offsets.get(sigRef.num)!);
  const signedAttrs = signedAttributes(digestRanges(bytes, slot, 'SHA-256'), signer.certificate, 'SHA-256');
  const signature = normaliseSignatureValue(await signer.sign(signedAttrs, 'SHA-256'), signer);
  embedContents(bytes, slot, buildSignedData({ signedAttrs, signature, certificate: signer.certificate, chain: signer.chain, hash: 'SHA-256', keyAlgorithm: signer.keyAlgorithm }));
  return bytes;
}
