import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { PRODUCER } from '../../documents/index.ts';
import { NOW } from './support/fixtures.ts';
import { pdfinfo, pdftext, removeTemp, writeTemp } from './support/pdf-judges.ts';
import { renderAll, type DocumentName } from './support/render-all.ts';

const run = promisify(execFile);
afterAll(removeTemp);

const NAMES: DocumentName[] = ['summary', 'letter', 'contract'];
const trailerId = (pdf: Uint8Array) => /\/ID \[ <([0-9A-F]{32})> <([0-9A-F]{32})> \]/.exec(Buffer.from(pdf).toString('latin1'));

describe('the same input at the same instant gives the same bytes', () => {
  it('twice in one process, byte for byte, with a pinned /ID, dates and producer', async () => {
    const [a, b] = [await renderAll(NOW), await renderAll(NOW)];
    for (const name of NAMES) {
      expect(Buffer.compare(a[name], b[name]), name).toBe(0);
      const id = trailerId(a[name]);
      expect(id, `${name} /ID`).not.toBeNull();
      expect(id![1]).toBe(id![2]);
      const info = await pdfinfo(writeTemp(a[name], name));
      expect(info.fields['CreationDate']).toBe('Thu Mar  5 13:05:00 2026 UTC');
      expect(info.fields['ModDate']).toBe('Thu Mar  5 13:05:00 2026 UTC');
      expect(info.fields['Producer']).toBe(PRODUCER);
    }
  });

  it('in another process whose clock is in another time zone (Kiritimati, already 6 March): same bytes, Paris dates', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passeport-determinism-'));
    try {
      const script = path.join(import.meta.dirname, 'support', 'render-all.ts');
      await run(process.execPath, ['--import', 'tsx', script, dir, NOW], { env: { ...process.env, TZ: 'Pacific/Kiritimati' } });
      const here = await renderAll(NOW);
      for (const name of NAMES) {
        expect(Buffer.compare(fs.readFileSync(path.join(dir, `${name}.pdf`)), here[name]), name).toBe(0);
      }
      expect(await pdftext(path.join(dir, 'contract.pdf'))).toContain('Fait le 5 mars 2026');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('another instant gives other bytes and another /ID', async () => {
    const [a, b] = [await renderAll(NOW), await renderAll('2026-03-05T13:05:01Z')];
    for (const name of NAMES) {
      expect(Buffer.compare(a[name], b[name]), name).not.toBe(0);
      expect(trailerId(a[name])![1]).not.toBe(trailerId(b[name])![1]);
    }
  });
});
