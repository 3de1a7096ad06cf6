import type { HashAlgorithm, Timestamper } from '../certs/types.ts';
import { IncrementalUpdate, PdfDict, PdfName, openPdf } from '../pdf/index.ts';
import { addSignatureField } from './fields.ts';
import { BYTE_RANGE_PLACEHOLDER, CONTENTS_PLACEHOLDER, digestRanges, embedContents, fixByteRange } from './placeholder.ts';
import { requestTimestamp, timestampReserve } from './timestamping.ts';

/** Appends a document timestamp (/DocTimeStamp, ETSI.RFC3161) over the whole file. */
export async function appendDocumentTimestamp(pdf: Uint8Array, timestamper: Timestamper, hash: HashAlgorithm = 'SHA-256', fieldName?: string): Promise<Buffer> {
  const reserve = await timestampReserve(timestamper, hash);
  const reader = openPdf(pdf);
  const update = new IncrementalUpdate(reader);
  const dict = new PdfDict({
    Type: new PdfName('DocTimeStamp'),
    Filter: new PdfName('Adobe.PPKLite'),
    SubFilter: new PdfName('ETSI.RFC3161'),
    ByteRange: BYTE_RANGE_PLACEHOLDER(),
    Contents: CONTENTS_PLACEHOLDER(reserve),
  });
  const ref = update.add(dict);
  addSignatureField(reader, update, { valueRef: ref, namePrefix: 'Horodatage', ...(fieldName ? { fieldName } : {}) });
  const { bytes, offsets } = update.build();
  const slot = fixByteRange(bytes, offsets.get(ref.num)!);
  const token = await requestTimestamp(timestamper, digestRanges(bytes, slot, hash), hash);
  embedContents(bytes, slot, token);
  return bytes;
}
