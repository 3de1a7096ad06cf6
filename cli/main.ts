#!/usr/bin/env node
import { Command } from 'commander';
import { SUMMARY, type CommandName } from './summaries.ts';

/**
 * The `passeport` command. Each family of subcommands lives in its own file of
 * cli/ and exports `register(program)`. Only the family asked for is loaded
 * (the PKI's modules stay out of `passeport verify`, say); the overall help lists
 * the commands from their summaries without loading any family.
 */
type Family = () => Promise<{ register(program: Command): void }>;

const FAMILIES: Record<CommandName, Family> = {
  start: () => import('./start.ts'),
  worker: () => import('./worker.ts'),
  api: () => import('./api.ts'),
  db: () => import('./db.ts'),
  accounts: () => import('./accounts.ts'),
  pki: () => import('./pki.ts'),
  sign: () => import('./sign.ts'),
  extend: () => import('./sign.ts'),
  verify: () => import('./verify.ts'),
  demo: () => import('./demo.ts'),
  ceremony: () => import('./ceremony.ts'),
  vault: () => import('./vault.ts'),
};

const isCommand = (word: string | undefined): word is CommandName => word !== undefined && Object.hasOwn(FAMILIES, word);

const program = new Command('passeport').description('Passeport : pré-accord de financement et signature électronique').showHelpAfterError();

const words = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
// `passeport help verify` needs the verify family as much as `passeport verify --help`.
const asked = words[0] === 'help' ? words[1] : words[0];
if (isCommand(asked)) {
  (await FAMILIES[asked]()).register(program);
} else {
  for (const [name, summary] of Object.entries(SUMMARY)) program.command(name).description(summary);
}

await program.parseAsync(process.argv);
