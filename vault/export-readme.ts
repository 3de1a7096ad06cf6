/**
 * The README of an export, in French, and the script it explains. The commands use
 * openssl and the standard tools of any POSIX system (sh, diff, grep, sed, od, tr, cut),
 * nothing of Passeport: test/vault/export.test.ts runs exactly the ```sh blocks below.
 */
export const EXPORT_LAYOUT = {
  readme: 'README.md',
  script: 'verifier.sh',
  objects: 'objets',
  sha256: 'EMPREINTES-SHA256.txt',
  sha512: 'EMPREINTES-SHA512.txt',
  index: 'INDEX.txt',
  journal: 'journal',
  proofs: 'preuves',
  seals: 'sceaux',
  anchors: 'ancres/racines.pem',
  intermediates: 'ancres/intermediaires.pem',
  metadata: 'metadonnees.json',
} as const;

const STEPS: { title: string; text: string; sh: string }[] = [
  {
    title: 'Préparer',
    text: "Placez-vous dans le dossier de l'export (là où se trouve ce fichier). Le tri des noms de fichiers doit être celui de l'ordre des octets, d'où `LC_ALL=C`.",
    sh: `export LC_ALL=C
echec=0
T=$(mktemp -d)`,
  },
  {
    title: 'Les empreintes des objets',
    text: 'Chaque fichier de `objets/` est recalculé en SHA-256 et en SHA-512 et comparé aux listes `EMPREINTES-SHA256.txt` et `EMPREINTES-SHA512.txt` (format de `openssl dgst -r`).',
    sh: `if openssl dgst -sha256 -r objets/* | diff - EMPREINTES-SHA256.txt > "$T/d"; then echo "Empreintes SHA-256 des objets : OK"; else echo "ÉCHEC : empreintes SHA-256 des objets"; cat "$T/d"; echec=1; fi
if openssl dgst -sha512 -r objets/* | diff - EMPREINTES-SHA512.txt > "$T/d"; then echo "Empreintes SHA-512 des objets : OK"; else echo "ÉCHEC : empreintes SHA-512 des objets"; cat "$T/d"; echec=1; fi`,
  },
  {
    title: 'Chaque objet et son entrée de dépôt',
    text: "`INDEX.txt` associe chaque objet à son entrée de dépôt au journal (`journal/NUMERO.json`, ses octets exacts). L'entrée doit nommer l'objet et porter son empreinte SHA-512 : c'est elle que le journal a enregistrée au dépôt.",
    sh: `while read -r objet entree; do
  h=$(openssl dgst -sha512 -r "objets/$objet" | cut -d' ' -f1)
  if grep -q "\\"object\\":\\"$objet\\"" "journal/$entree.json" && grep -q "\\"sha512\\":\\"$h\\"" "journal/$entree.json"; then
    echo "Objet $objet : entrée de dépôt n° $entree : OK"
  else
    echo "ÉCHEC : l'objet $objet ne correspond pas à son entrée de dépôt n° $entree"; echec=1
  fi
done < INDEX.txt`,
  },
  {
    title: 'Chaque entrée du journal et la racine de son sceau',
    text:
      'Le journal est scellé par périodes : un arbre de Merkle SHA-512 (RFC 6962) dont une feuille vaut SHA-512(0x00 || entrée) et un nœud SHA-512(0x01 || gauche || droite). ' +
      'Pour chaque entrée, `preuves/NUMERO.txt` donne son sceau puis le chemin vers la racine : à chaque ligne, la valeur voisine (en hexadécimal, puis en base64 pour openssl) et sa place, à gauche ou à droite. ' +
      'La racine recalculée doit être celle du sceau (ligne `racine-merkle-sha512` de `sceaux/SCEAU/sceau.txt`).',
    sh: `racine_de() {
  (printf '\\000'; cat "$1") | openssl dgst -sha512 -binary > "$T/h"
  grep -E '^(gauche|droite) ' "$2" | while read -r cote hex b64; do
    printf '%s' "$b64" | openssl base64 -d -A > "$T/s"
    if [ "$cote" = gauche ]; then cat "$T/s" "$T/h"; else cat "$T/h" "$T/s"; fi > "$T/p"
    (printf '\\001'; cat "$T/p") | openssl dgst -sha512 -binary > "$T/h"
  done
  od -An -v -tx1 "$T/h" | tr -d ' \\n'
}
for preuve in preuves/*.txt; do
  n=$(basename "$preuve" .txt)
  sceau=$(sed -n 's/^sceau //p' "$preuve")
  racine=$(racine_de "journal/$n.json" "$preuve")
  if grep -q "^racine-merkle-sha512: $racine\\$" "sceaux/$sceau/sceau.txt"; then
    echo "Entrée n° $n : incluse dans le sceau $sceau : OK"
  else
    echo "ÉCHEC : l'entrée n° $n ne mène pas à la racine du sceau $sceau"; echec=1
  fi
done`,
  },
  {
    title: "L'horodatage de chaque sceau",
    text:
      "Une autorité d'horodatage (RFC 3161) a horodaté l'empreinte SHA-512 du texte de chaque sceau. `openssl ts -verify` contrôle l'empreinte, la signature du jeton et la chaîne de certification de l'autorité jusqu'aux certificats racines de `ancres/racines.pem`. " +
      "Si le certificat de l'autorité a expiré depuis, ajoutez `-attime` suivi d'une date (en secondes depuis 1970) où il était valable, par exemple celle du jeton.",
    sh: `for s in sceaux/*; do
  if openssl ts -verify -data "$s/sceau.txt" -in "$s/jeton.tst" -token_in -CAfile ancres/racines.pem -untrusted ancres/intermediaires.pem > "$T/v" 2>&1; then
    echo "Horodatage du sceau $(basename "$s") : OK"
  else
    echo "ÉCHEC : horodatage du sceau $(basename "$s")"; cat "$T/v"; echec=1
  fi
done`,
  },
  {
    title: 'Le chaînage des sceaux',
    text:
      "Chaque sceau porte l'empreinte SHA-512 du jeton du sceau précédent (ligne `jeton-precedent`), et aussi de ceux d'un mois et d'un an avant : remplacer un sceau romprait tous les suivants. " +
      "L'export contient les sceaux du premier utile au plus récent.",
    sh: `precedent=""
for s in sceaux/*; do
  if [ -n "$precedent" ]; then
    attendu="$(basename "$precedent") $(openssl dgst -sha512 -r "$precedent/jeton.tst" | cut -d' ' -f1)"
    if grep -q "^jeton-precedent: $attendu\\$" "$s/sceau.txt"; then
      echo "Sceau $(basename "$s") enchaîné au sceau $(basename "$precedent") : OK"
    else
      echo "ÉCHEC : le sceau $(basename "$s") n'enchaîne pas le jeton du sceau $(basename "$precedent")"; echec=1
    fi
  fi
  precedent=$s
done`,
  },
  {
    title: 'Résultat',
    text: 'La dernière ligne affichée résume le contrôle.',
    sh: `rm -rf "$T"
if [ "$echec" -eq 0 ]; then echo "RÉSULTAT : export conforme"; else echo "RÉSULTAT : export NON conforme"; fi`,
  },
];

export interface ReadmeFacts {
  objects: number;
  entries: number;
  seals: number;
  tombstones: number;
}

export function exportReadme(facts: ReadmeFacts): { text: string; script: string } {
  const L = EXPORT_LAYOUT;
  const parts = [
    '# Export du coffre-fort Passeport : comment le vérifier hors ligne',
    '',
    `Cet export contient ${facts.objects} objet(s) archivé(s)${facts.tombstones ? ` et ${facts.tombstones} objet(s) détruit(s) dont seules les métadonnées demeurent` : ''}, ` +
      `${facts.entries} entrée(s) du journal qui les concernent et ${facts.seals} sceau(x) du journal. ` +
      "Il se vérifie sans Passeport et sans réseau, avec `openssl` et les outils habituels d'un système POSIX (`sh`, `diff`, `grep`, `sed`, `od`, `tr`, `cut`).",
    '',
    '## Contenu',
    '',
    `- \`${L.objects}/\` : les objets, nommés par leur identifiant ;`,
    `- \`${L.sha256}\`, \`${L.sha512}\` : leurs empreintes ;`,
    `- \`${L.metadata}\` : les métadonnées (déposant, dates, classe, durée de conservation, dossier, SIREN, parties, gels, destructions) ;`,
    `- \`${L.index}\` : chaque objet et le numéro de son entrée de dépôt ;`,
    `- \`${L.journal}/\` : les entrées du journal qui concernent ces objets, octets exacts, une par fichier ; chacune porte l'empreinte de la précédente (champ \`previous\`) ;`,
    `- \`${L.proofs}/\` : pour chaque entrée, son sceau et son chemin de Merkle ;`,
    `- \`${L.seals}/\` : pour chaque sceau, son texte (\`sceau.txt\`) et son jeton d'horodatage RFC 3161 (\`jeton.tst\`) ;`,
    `- \`${L.anchors}\`, \`${L.intermediates}\` : les certificats de confiance et ceux de l'autorité d'horodatage ;`,
    `- \`${L.script}\` : les commandes ci-dessous, réunies dans un script (\`sh ${L.script}\`).`,
    '',
    '## Vérifier, étape par étape',
    '',
    'Copiez les blocs dans un terminal, dans l’ordre : chaque contrôle affiche « OK » ou « ÉCHEC » avec ce qui ne va pas.',
    '',
  ];
  STEPS.forEach((step, i) => parts.push(`### ${i + 1}. ${step.title}`, '', step.text, '', '```sh', step.sh, '```', ''));
  parts.push(
    '## Ce que ces contrôles prouvent',
    '',
    "Les objets sont ceux qui ont été déposés (empreintes inscrites au journal), chaque entrée du journal fait partie d'un sceau (chemin de Merkle), " +
      "chaque sceau existait à la date de son horodatage (jeton RFC 3161 d'une autorité tierce) et aucun n'a été remplacé depuis (chaînage). " +
      'Les signatures électroniques des PDF se vérifient en plus avec tout validateur PAdES : les données de validation (chaînes, LCR, réponses OCSP) sont dans les PDF eux-mêmes ou dans leur paquet.',
    '',
  );
  const script = [
    '#!/bin/sh',
    '# Vérification hors ligne de l’export (voir README.md).',
    'cd "$(dirname "$0")" || exit 2',
    ...STEPS.map((s) => s.sh),
    '[ "$echec" -eq 0 ]',
    '',
  ].join('\n');
  return { text: parts.join('\n'), script };
}
