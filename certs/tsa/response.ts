import { seq, integer, namedBits, utf8, tlv } from '../../asn1/index.ts';
import { FAIL_INFO, type FailInfo } from './request.ts';

/** PKIStatus values of RFC 3161. */
export const PKI_STATUS = { granted: 0, grantedWithMods: 1, rejection: 2, waiting: 3, revocationWarning: 4, revocationNotification: 5 } as const;

const GRANTED = seq(seq(integer(PKI_STATUS.granted)));

/** TimeStampResp with status granted and the token (a ContentInfo). */
export function grantedResponse(token: Uint8Array): Buffer {
  // GRANTED is the outer SEQUENCE holding only the status: re-wrap with the token.
  return tlv(0x30, GRANTED.subarray(2), token);
}

/** TimeStampResp with status rejection, a French statusString and the failInfo bit. */
export function rejectionResponse(failInfo: FailInfo, text: string): Buffer {
  return seq(seq(integer(PKI_STATUS.rejection), seq(utf8(text)), namedBits(FAIL_INFO[failInfo])));
}
