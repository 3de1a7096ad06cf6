/** The package a crash test deposits: two objects, unique to `seed`. */
export function crashPackage(seed: string) {
  return {
    documentClass: 'contrat',
    dossierId: `D-CRASH-${seed}`,
    objects: [
      { name: 'contrat.pdf', mediaType: 'application/pdf', content: new Uint8Array(Buffer.from(`%PDF contrat ${seed} `.repeat(5000))) },
      { name: 'preuve.crl', mediaType: 'application/pkix-crl', content: new Uint8Array(Buffer.from(`LCR ${seed} `.repeat(300))), documentClass: 'preuve' },
    ],
  };
}
