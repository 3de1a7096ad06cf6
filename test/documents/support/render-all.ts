/**
 * Renders one of each document from the fixtures. Run as a script
 * (`node --import tsx render-all.ts OUT_DIR NOW`), it writes them to OUT_DIR:
 * the determinism test compares them with those made in its own process.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderContract, renderDecisionLetter, renderDossierSummary } from '../../../documents/index.ts';
import { approvalLetter, contractInput, summaryInput } from './fixtures.ts';

export type DocumentName = 'summary' | 'letter' | 'contract';

export async function renderAll(now: string): Promise<Record<DocumentName, Uint8Array>> {
  return {
    summary: await renderDossierSummary(summaryInput(), { now }),
    letter: await renderDecisionLetter(approvalLetter(), { now }),
    contract: await renderContract(contractInput(), { now }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [outDir, now] = process.argv.slice(2);
  if (!outDir || !now) throw new Error('usage: render-all.ts OUT_DIR NOW');
  for (const [name, bytes] of Object.entries(await renderAll(now))) fs.writeFileSync(path.join(outDir, `${name}.pdf`), bytes);
}
