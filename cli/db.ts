/** `passeport db migrate` and `passeport db seed [--json]`. */
import type { Command } from 'commander';
import { migrate } from '../db/migrate.ts';
import { seedDemo } from '../db/seed.ts';
import { createApiKey, revokeApiKey } from '../db/repositories/apiKeys.ts';
import { ROLES, type Role } from '../domain/roles.ts';
import { SUMMARY } from './summaries.ts';
import { withDatabase, type CliEnv } from './database.ts';
import type { Sql } from '../db/connect.ts';

/** The db family migrates only when asked (`db migrate`, `db seed`): a key is made on the schema as it stands. */
const withUnmigrated = (work: (sql: Sql, env: CliEnv) => Promise<void>): Promise<number> => withDatabase(work, { migrate: false });
import { CliError } from './errors.ts';

export function register(program: Command): void {
  const db = program.command('db').description(SUMMARY.db);
  db.command('migrate')
    .description('Applique les migrations en attente (sous verrou consultatif)')
    .action(async () => {
      process.exitCode = await withUnmigrated(async (sql) => {
        const applied = await migrate(sql);
        console.log(applied.length ? `Migrations appliquées : ${applied.join(', ')}` : 'Base à jour : aucune migration en attente.');
      });
    });
  db.command('seed')
    .description('Charge les données de démonstration (idempotent) et affiche les clés d’API de démo')
    .option('--json', 'sortie JSON (clés par rôle et organisation)')
    .action(async (options: { json?: boolean }) => {
      process.exitCode = await withUnmigrated(async (sql) => {
        await migrate(sql);
        const { apiKeys } = await seedDemo(sql);
        if (options.json) {
          console.log(JSON.stringify({ apiKeys }, null, 2));
          return;
        }
        console.log('Données de démonstration chargées. Clés d’API (démo uniquement, publiques) :');
        for (const k of apiKeys) console.log(`  ${k.role.padEnd(10)} ${k.organisation.padEnd(14)} ${k.key}`);
      });
    });
  db.command('create-key')
    .description("Crée une clé d'API pour une organisation existante et l'affiche une seule fois")
    .argument('<organisation>', "identifiant de l'organisation (code banque, numéro de label du revendeur, programme)")
    .argument('<role>', `rôle : ${ROLES.join(', ')}`)
    .option('--label <label>', 'libellé (qui utilise la clé)', '')
    .action(async (organisation: string, role: string, options: { label: string }) => {
      if (!(ROLES as readonly string[]).includes(role)) {
        console.error(`Rôle inconnu : ${role} (attendu : ${ROLES.join(', ')})`);
        process.exitCode = 2;
        return;
      }
      process.exitCode = await withUnmigrated(async (sql) => {
        const [org] = await sql`select id from organisations where id = ${organisation}`;
        if (!org) throw new CliError(`organisation inconnue : ${organisation}`);
        const key = await createApiKey(sql, organisation, role as Role, { label: options.label });
        console.log(key);
        console.error('Conservez cette clé : seule son empreinte est enregistrée, elle ne pourra plus être affichée.');
      });
    });
  db.command('revoke-key')
    .description("Révoque une clé d'API : la clé entière (telle qu'affichée à sa création) ou son préfixe public (les 10 caractères après psp_)")
    .argument('<clé-ou-préfixe>', 'la clé, ou son préfixe')
    .action(async (keyOrPrefix: string) => {
      const shown = keyOrPrefix.split('_').slice(0, 2).join('_');
      process.exitCode = await withUnmigrated(async (sql) => {
        if (!(await revokeApiKey(sql, keyOrPrefix))) throw new CliError(`aucune clé active ne correspond à ${shown}…`);
        console.log(`Clé ${shown}… révoquée.`);
      });
    });
}
