#!/usr/bin/env node
import { Command } from 'commander';

/**
 * The `passeport` command. Each family of subcommands lives in its own file of
 * cli/ and exports `register(program)`. Only the family asked for is loaded
 * (the PKI's modules stay out of `passeport worker`, say); `--help` loads all.
 */
type Family = () => Promise<{ register(program: Command): void }>;

const FAMILIES: Record<string, Family> = {
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

const program = new Command('passeport')
  .description('Passeport : pré-accord de financement et signature électronique')
  .showHelpAfterError();

const asked = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
const wanted = asked && FAMILIES[asked] ? [FAMILIES[asked]] : [...new Set(Object.values(FAMILIES))];
const loaded = new Set<unknown>();
for (const load of wanted) {
  const family = await load();
  if (loaded.has(family)) continue;
  loaded.add(family);
  family.register(program);
}

await program.parseAsync(process.argv);
