import { pemCertificates } from './pem.ts';
import { packageEvidence } from './audit.ts';
import { depositProof } from './check.ts';
import { readContent, type VaultContext } from './context.ts';
import { VaultError } from './errors.ts';
import { sha512, sha512Hex } from './hashing.ts';
import { leafHash, rootFromPath } from './merkle.ts';
import { FlowDocument } from './pdf-layout.ts';
import { parseSealDocument } from './seal-document.ts';
import { SEAL_DOCUMENT_NAME, SEAL_TOKEN_NAME } from './sealing.ts';
import type { ObjectRecord } from './types.ts';

/** 128 hexadecimal digits on two lines of 64: readable, and the same on every page. */
const hexLines = (hex: string): string => (hex.length > 64 ? `${hex.slice(0, 64)}\n${hex.slice(64)}` : hex);

const ENTRY_FILE = 'entree-de-depot.json';
const ANCHORS_FILE = 'racines.pem';

/**
 * The probative-value statement of one object: its fingerprints, its deposit entry, the
 * Merkle path from that entry to a sealed root, the seal's timestamp and chain, the
 * signatures' verdict, and how to check each by hand. The entry, the seal, its token and
 * the trust anchors are attached to the PDF, so the checks need nothing else.
 */
export async function probativeStatement(ctx: VaultContext, object: ObjectRecord): Promise<Uint8Array> {
  const { entry, proof } = await depositProof(ctx, object);
  if (!entry) throw new VaultError('NOT_FOUND', `Aucune entrée de dépôt au journal pour l'objet ${object.id}.`);
  if (!proof) {
    throw new VaultError(
      'NOT_YET_SEALED',
      `L'entrée de dépôt de l'objet ${object.id} (n° ${entry.seq}) n'est pas encore scellée : réessayez après le prochain scellement (passeport vault seal).`,
    );
  }
  const seal = proof.seal;
  const sealDoc = parseSealDocument(seal.document);
  const timestamp = await ctx.ports.timestamper.verify(seal.token, sha512(seal.document));
  const computedRoot = rootFromPath(leafHash(entry.body), proof.path).toString('hex');
  const verdict =
    object.mediaType === 'application/pdf' && !object.disposedAt
      ? await ctx.ports.verifier.verify(await readContent(ctx, object.sha512), { time: new Date(object.depositedAt), evidence: await packageEvidence(ctx, object.packageId) })
      : null;
  const now = ctx.now().toISOString();

  const pdf = await FlowDocument.create(`Attestation de valeur probante — ${object.id}`, `Attestation ${object.id} émise le ${now}`);
  pdf.title('Attestation de valeur probante');
  pdf.paragraph(
    `Coffre-fort électronique Passeport (NF Z42-013 / ISO 14641, NF Z42-020). Émise le ${now} (UTC). ` +
      'Chaque élément ci-dessous se vérifie sans faire confiance au coffre-fort : les fichiers joints à ce PDF ' +
      `(${ENTRY_FILE}, ${SEAL_DOCUMENT_NAME}, ${SEAL_TOKEN_NAME}, ${ANCHORS_FILE}) et openssl suffisent.`,
  );

  pdf.heading("1. L'objet archivé");
  pdf.row('Identifiant', object.id);
  pdf.row('Nom', object.name);
  pdf.row('Type de média', object.mediaType);
  pdf.row('Taille', `${object.size} octets`);
  pdf.row('Classe documentaire', object.documentClass);
  pdf.row('Déposant', object.depositor);
  pdf.row('Date de dépôt (UTC)', object.depositedAt);
  pdf.row('Conservation jusqu’au', object.retentionEnd ?? 'sans limite de durée');
  if (object.dossierId) pdf.row('Dossier', object.dossierId);
  if (object.siren) pdf.row('SIREN', object.siren);
  if (object.parties.length) pdf.row('Parties', object.parties.map((p) => `${p.role} ${p.id}${p.name ? ` (${p.name})` : ''}`).join(' ; '));
  if (object.derivedFrom) pdf.row('Version', `prolongation de l'objet ${object.derivedFrom} (nouvel horodatage de document)`);
  if (object.disposedAt) pdf.row('État', `détruit le ${object.disposedAt} (${object.disposalReason ?? ''}) : seules ses empreintes demeurent`);
  if (object.holds.length) pdf.row('Gel juridique', object.holds.map((h) => `depuis le ${h.setAt} : ${h.reason}`).join(' ; '));

  pdf.heading('2. Empreintes du contenu');
  pdf.paragraph('Vérification : openssl dgst -sha256 FICHIER puis openssl dgst -sha512 FICHIER ; les valeurs doivent être identiques.');
  pdf.row('SHA-256', object.sha256);
  pdf.labelled('SHA-512', hexLines(object.sha512));

  pdf.heading("3. L'entrée de dépôt au journal");
  pdf.paragraph(
    `Entrée n° ${entry.seq}, jointe sous le nom ${ENTRY_FILE} (ses octets exacts, sans fin de ligne). Elle contient l'empreinte SHA-512 ci-dessus ` +
      "et l'empreinte de l'entrée qui la précède (champ previous) : le journal est chaîné, aucune entrée ne peut être retirée ou remplacée sans rompre la chaîne.",
  );
  pdf.code(entry.body);
  pdf.labelled('SHA-512 de l’entrée', hexLines(sha512Hex(entry.body)));

  pdf.heading('4. Chemin de Merkle vers la racine scellée');
  pdf.paragraph(
    'Arbre de Merkle SHA-512 (RFC 6962) : une feuille vaut SHA-512(0x00 || entrée), un nœud SHA-512(0x01 || gauche || droite), ' +
      'sur les valeurs binaires. En partant de la feuille, combiner successivement avec chaque valeur ci-dessous, placée à gauche ou à droite comme indiqué.',
  );
  pdf.labelled(`Feuille : (printf '\\000'; cat ${ENTRY_FILE}) | openssl dgst -sha512`, hexLines(leafHash(entry.body).toString('hex')));
  proof.path.forEach((step, i) => pdf.labelled(`Étape ${i + 1} : frère à ${step.side === 'left' ? 'gauche' : 'droite'}`, hexLines(step.hash.toString('hex'))));
  pdf.labelled(`Racine obtenue (${proof.path.length} étape${proof.path.length > 1 ? 's' : ''}) :`, hexLines(computedRoot));
  pdf.paragraph(
    computedRoot === seal.merkleRoot
      ? `Elle est égale à la racine scellée dans ${seal.id} (ligne racine-merkle-sha512).`
      : `ATTENTION : elle diffère de la racine scellée dans ${seal.id}.`,
  );

  pdf.heading(`5. Le sceau ${seal.id} et son horodatage`);
  pdf.paragraph(
    `Le sceau couvre les entrées ${seal.firstSeq} à ${seal.lastSeq}. Son texte (joint : ${SEAL_DOCUMENT_NAME}) nomme la racine de Merkle, ` +
      "la dernière entrée scellée, et enchaîne les jetons du sceau précédent, du sceau d'un mois avant et de celui d'un an avant : " +
      "aucun sceau ne peut être remplacé sans rompre les suivants. Une autorité d'horodatage (RFC 3161) a horodaté l'empreinte SHA-512 de ce texte (joint : " +
      `${SEAL_TOKEN_NAME}).`,
  );
  pdf.code(seal.document.trimEnd());
  pdf.row('Heure du jeton (UTC)', timestamp.genTime?.toISOString() ?? 'illisible');
  if (timestamp.tsa)
    pdf.row(
      'Autorité d’horodatage',
      `${timestamp.tsa.subject} (certificat n° ${timestamp.tsa.serialNumber}, valable jusqu’au ${timestamp.tsa.notAfter.toISOString().slice(0, 10)})`,
    );
  pdf.row('Vérification du jeton', timestamp.ok ? 'valide : empreinte, signature et chaîne de certification de l’autorité' : `INVALIDE : ${timestamp.reasons.join(' ; ')}`);
  pdf.row(
    'Chaînage',
    [sealDoc.previous, sealDoc.monthBefore, sealDoc.yearBefore].map((l, i) => `${['précédent', 'un mois avant', 'un an avant'][i]} : ${l ? l.sealId : 'aucun'}`).join(' ; '),
  );
  pdf.paragraph(`Vérification : openssl ts -verify -data ${SEAL_DOCUMENT_NAME} -in ${SEAL_TOKEN_NAME} -token_in -CAfile ${ANCHORS_FILE}`);

  pdf.heading('6. Signatures du document');
  if (!verdict) pdf.paragraph(object.mediaType === 'application/pdf' ? 'Contenu détruit : signatures non vérifiables.' : "L'objet n'est pas un PDF : pas de signature à vérifier.");
  else if (!verdict.signed) pdf.paragraph('Le PDF ne contient aucune signature.');
  else {
    pdf.paragraph(`Vérifiées à la date du dépôt (${object.depositedAt}) avec les preuves déposées dans le même paquet (chaînes, LCR, réponses OCSP), selon ETSI EN 319 102-1.`);
    pdf.row('Verdict', `${verdict.indication}${verdict.subIndication ? ` / ${verdict.subIndication}` : ''}`);
    for (const s of verdict.signatures) {
      pdf.row(
        s.kind === 'signature' ? 'Signature' : 'Horodatage de document',
        `${s.signer ?? 'inconnu'} — ${s.indication}${s.level ? `, niveau ${s.level}` : ''}${s.time ? `, heure prouvée ${s.time}` : ''}`,
      );
    }
    if (verdict.reasons.length) pdf.paragraph(verdict.reasons.join(' ; '));
  }

  pdf.heading('7. Vérifier à la main, dans l’ordre');
  [
    `Enregistrer les fichiers joints (par exemple pdfdetach -saveall attestation.pdf).`,
    `Empreinte du document : openssl dgst -sha512 DOCUMENT doit donner la valeur de la section 2, qui figure dans ${ENTRY_FILE}.`,
    'Feuille puis chemin : recalculer la racine comme en section 4 (printf et openssl dgst -sha512 -binary) ; elle doit être la racine-merkle-sha512 du sceau.',
    `Horodatage : openssl ts -verify -data ${SEAL_DOCUMENT_NAME} -in ${SEAL_TOKEN_NAME} -token_in -CAfile ${ANCHORS_FILE} doit répondre « Verification: OK » (ajouter -attime avec une date antérieure à l'expiration du certificat de l'autorité s'il a expiré depuis).`,
    'Chaînage : les sceaux suivants du coffre-fort (export) portent l’empreinte SHA-512 de ce jeton à la ligne jeton-precedent.',
  ].forEach((t, i) => pdf.paragraph(`${i + 1}. ${t}`));

  const anchors = await ctx.ports.verifier.trustAnchors();
  await pdf.attach(Buffer.from(entry.body, 'utf8'), ENTRY_FILE, 'application/json', `Entrée n° ${entry.seq} du journal, octets exacts`);
  await pdf.attach(Buffer.from(seal.document, 'utf8'), SEAL_DOCUMENT_NAME, 'text/plain', `Texte du sceau ${seal.id}`);
  await pdf.attach(seal.token, SEAL_TOKEN_NAME, 'application/timestamp-token', `Jeton d'horodatage RFC 3161 du sceau ${seal.id}`);
  await pdf.attach(Buffer.from(pemCertificates(anchors), 'ascii'), ANCHORS_FILE, 'application/x-pem-file', 'Certificats racines de confiance');
  return pdf.save();
}
