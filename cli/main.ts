#!/usr/bin/env node
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';

/**
 * The `passeport` command. Each family of subcommands lives in its own file of
 * cli/ and exports `register(program)`; this file only assembles them.
 */
const families = ['start.ts', 'db.ts', 'pki.ts', 'sign.ts', 'verify.ts', 'vault.ts'];

const here = path.dirname(fileURLToPath(import.meta.url));
const program = new Command('passeport')
  .description('Passeport : pré-accord de financement et signature électronique')
  .showHelpAfterError();

for (const file of families) {
  const full = path.join(here, file);
  if (!fs.existsSync(full)) continue;
  const mod = (await import(full)) as { register(program: Command): void };
  mod.register(program);
}

await program.parseAsync(process.argv);
