/**
 * `passeport accounts create | list | disable`: the accounts people sign in
 * with on the web pages. A password is generated and shown once unless
 * PASSEPORT_ACCOUNT_PASSWORD gives one; it is never stored or logged.
 */
import type { Command } from 'commander';
import { createAccount, disableAccount, generatePassword, listAccounts, type Account } from '../db/repositories/accounts.ts';
import { ROLES, ROLE_LABEL, type Role } from '../domain/roles.ts';
import { SUMMARY } from './summaries.ts';
import { withDatabase } from './database.ts';
import { CliError } from './errors.ts';

/** Roles by their French name (as people say them) or their code. */
const ROLE_NAMES: Record<string, Role> = {
  ...Object.fromEntries(ROLES.map((r) => [r, r])),
  ...Object.fromEntries(ROLES.map((r) => [ROLE_LABEL[r], r])),
  createur: 'creator',
};

const line = (a: Account) =>
  `${a.email.padEnd(40)} ${ROLE_LABEL[a.role].padEnd(15)} ${a.organisationId.padEnd(14)} ${a.disabledAt ? `désactivé le ${a.disabledAt.slice(0, 10)}` : 'actif'}  ${a.displayName}`;

export function register(program: Command): void {
  const accounts = program.command('accounts').description(SUMMARY.accounts);

  accounts
    .command('create')
    .description('Crée le compte d’une personne ; le mot de passe est affiché une seule fois (ou pris dans PASSEPORT_ACCOUNT_PASSWORD)')
    .requiredOption('--email <adresse>', 'adresse e-mail (identifiant de connexion)')
    .requiredOption('--name <nom>', 'prénom et nom')
    .requiredOption('--role <rôle>', 'revendeur, banque, createur, archiviste ou administrateur')
    .requiredOption('--organisation <id>', 'code banque, numéro de label du revendeur, « programme », ou SIREN de l’entreprise (créateur)')
    .option('--company-name <nom>', 'créateur : nom de son entreprise, si elle n’est pas encore enregistrée')
    .option('--json', 'sortie JSON')
    .action(async (o: { email: string; name: string; role: string; organisation: string; companyName?: string; json?: boolean }) => {
      const role = ROLE_NAMES[o.role.toLowerCase()];
      if (!role) {
        console.error(`Rôle inconnu : ${o.role} (attendu : revendeur, banque, createur, archiviste ou administrateur)`);
        process.exitCode = 2;
        return;
      }
      const given = process.env.PASSEPORT_ACCOUNT_PASSWORD;
      const password = given ?? generatePassword();
      process.exitCode = await withDatabase(async (sql) => {
        const account: Account = await createAccount(sql, { email: o.email, displayName: o.name, role, organisationId: o.organisation, companyName: o.companyName, password });
        if (o.json) {
          console.log(JSON.stringify({ account, ...(given ? {} : { password }) }, null, 2));
          return;
        }
        console.log(`Compte créé : ${line(account)}`);
        if (!given) {
          console.log(`Mot de passe : ${password}`);
          console.error('Remettez ce mot de passe à la personne : seule son empreinte est enregistrée, il ne pourra plus être affiché.');
        }
      });
    });

  accounts
    .command('list')
    .description('Liste les comptes')
    .option('--organisation <id>', 'une seule organisation')
    .option('--json', 'sortie JSON')
    .action(async (o: { organisation?: string; json?: boolean }) => {
      process.exitCode = await withDatabase(async (sql) => {
        const list = await listAccounts(sql, o.organisation ? { organisationId: o.organisation } : {});
        if (o.json) console.log(JSON.stringify({ accounts: list }, null, 2));
        else if (list.length === 0) console.log('Aucun compte.');
        else for (const a of list) console.log(line(a));
      });
    });

  accounts
    .command('disable')
    .description('Désactive un compte (par adresse e-mail ou identifiant) ; ses sessions prennent fin aussitôt')
    .argument('<compte>', 'adresse e-mail ou identifiant du compte')
    .action(async (who: string) => {
      process.exitCode = await withDatabase(async (sql) => {
        const account = await disableAccount(sql, who);
        if (!account) throw new CliError(`aucun compte ${who}`);
        console.log(`Compte désactivé : ${line(account)}`);
      });
    });
}
