/**
 * `passeport ceremony register-signatory | register-seal`: who signs for an
 * organisation (the person a revendeur's certificate must name, with its
 * SIREN), and a bank's (or the platform's) seal key on the engine's PKCS#11
 * seal token. Demo mode does both for the demo's organisations.
 */
import type { Command } from 'commander';
import { SUMMARY } from './summaries.ts';
import { withDatabase } from './database.ts';
import { upsertSeal, upsertSignatory, getSignatory } from '../db/repositories/ceremonies.ts';
import { isValidSiren } from '../domain/siren.ts';
import { parseCertificate } from '../asn1/index.ts';
import { resolveSealPin, SEAL_TOKEN_LABEL } from '../ceremony/config.ts';
import { subjectFields } from '../ceremony/identity.ts';
import type { Sql } from '../db/connect.ts';
import { CliError } from './errors.ts';

async function requireOrganisation(sql: Sql, id: string): Promise<void> {
  const [row] = await sql`select 1 from organisations where id = ${id}`;
  if (!row) throw new CliError(`organisation inconnue : ${id}`);
}

export function register(program: Command): void {
  const ceremony = program.command('ceremony').description(SUMMARY.ceremony);

  ceremony
    .command('register-signatory')
    .description('Enregistre qui signe pour une organisation : son certificat devra porter ce nom et ce SIREN')
    .argument('<organisation>', 'identifiant de l’organisation (numéro de label du revendeur, code banque)')
    .requiredOption('--siren <siren>', 'SIREN de l’organisation (9 chiffres)')
    .requiredOption('--name <nom>', '« Prénom Nom » du signataire (ou nom du cachet)')
    .option('--title <fonction>', 'sa fonction, imprimée dans le bloc de signature (« gérant »)')
    .action(async (organisation: string, o: { siren: string; name: string; title?: string }) => {
      const siren = o.siren.replace(/\s+/g, '');
      const refusal = !isValidSiren(siren)
        ? `SIREN invalide « ${o.siren} » : 9 chiffres et une clé de Luhn juste.`
        : o.name.trim() === '' || o.name.length > 120
          ? 'Nom du signataire : 1 à 120 caractères.'
          : null;
      if (refusal) {
        console.error(`Échec : ${refusal}`);
        process.exitCode = 2;
        return;
      }
      process.exitCode = await withDatabase(async (sql) => {
        await requireOrganisation(sql, organisation);
        await upsertSignatory(sql, { organisationId: organisation, siren, name: o.name.trim(), title: o.title?.trim() || null });
        console.log(`Signataire de ${organisation} : ${o.name.trim()} (SIREN ${siren}).`);
      });
    });

  ceremony
    .command('register-seal')
    .description('Enregistre le cachet RGS *** d’une organisation (banque, ou « programme » pour la plateforme) : sa clé sur le jeton des cachets')
    .argument('<organisation>', 'identifiant de l’organisation')
    .requiredOption('--key-label <libellé>', 'libellé de la clé du cachet sur le jeton')
    .option('--token-label <libellé>', 'jeton PKCS#11 des cachets', SEAL_TOKEN_LABEL)
    .action(async (organisation: string, o: { keyLabel: string; tokenLabel: string }) => {
      process.exitCode = await withDatabase(async (sql, env) => {
        await requireOrganisation(sql, organisation);
        const pin = resolveSealPin(env);
        if (!pin) throw new CliError('Code PIN du jeton des cachets absent : définissez PASSEPORT_SEAL_PIN.');
        const { openTokenSigner } = await import('../certs/pkcs11.ts');
        const signer = openTokenSigner({ tokenLabel: o.tokenLabel, keyLabel: o.keyLabel, pin, modulePath: env.PKCS11_MODULE });
        try {
          const cert = parseCertificate(signer.certificate);
          const fields = subjectFields(cert.subjectName);
          if (!fields.commonName || !fields.siren) throw new CliError(`Le certificat de la clé « ${o.keyLabel} » ne porte pas de nom et de SIREN (CN et OU « 0002 <SIREN> »).`);
          await upsertSeal(sql, { organisationId: organisation, tokenLabel: o.tokenLabel, keyLabel: o.keyLabel, certificate: Buffer.from(signer.certificate) });
          // The seal signs in the organisation's name: it is who the countersignature must name, unless someone is registered.
          if (!(await getSignatory(sql, organisation))) await upsertSignatory(sql, { organisationId: organisation, siren: fields.siren, name: fields.commonName, title: null });
          console.log(`Cachet de ${organisation} : « ${fields.commonName} » (SIREN ${fields.siren}), clé « ${o.keyLabel} » du jeton « ${o.tokenLabel} ».`);
        } finally {
          signer.close();
        }
      });
    });
}
