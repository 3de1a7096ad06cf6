/** DER certificates as one PEM text (what openssl's -CAfile and -untrusted read). */
export function pemCertificates(ders: readonly Uint8Array[]): string {
  return ders
    .map((der) => {
      const b64 = Buffer.from(der)
        .toString('base64')
        .replace(/(.{64})/g, '$1\n')
        .replace(/\n$/, '');
      return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
    })
    .join('');
}
