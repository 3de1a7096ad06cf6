import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessTimestamper } from '../../vault/adapters.ts';
import type { Anomaly, AuditProgress } from '../../vault/audit.ts';
import { sha512, sha512Hex } from '../../vault/hashing.ts';
import { parseSealDocument } from '../../vault/seal-document.ts';
import type { ObjectRecord, SealRecord } from '../../vault/types.ts';
import { ARCHIVIST, ENGINE, contractPackage, createTestbed, type Testbed } from './support/testbed.ts';

let t: Testbed;
let contract: ObjectRecord;
let note: ObjectRecord;
let seals: SealRecord[];

const bytes = (text: string) => new Uint8Array(Buffer.from(text));

beforeAll(async () => {
  t = await createTestbed({ locations: 2 });
  const crl = await (await fetch(t.pki.crlUrl)).arrayBuffer();
  const signed = await t.signedContract({ level: 'B-LT' });
  contract = (await t.vault.deposit(ENGINE, contractPackage(signed, { dossierId: 'D-AUDIT-1', evidence: [new Uint8Array(crl)] }))).objects[0]!;
  seals = [];
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 4; i++) {
      const r = await t.vault.deposit(ENGINE, {
        documentClass: 'rapport',
        dossierId: `D-AUDIT-${round}-${i}`,
        objects: [{ name: 'rapport.json', mediaType: 'application/json', content: bytes(`{"tour":${round},"n":${i}}`) }],
      });
      if (round === 1 && i === 0) note = r.objects[0]!;
    }
    await t.vault.list(ARCHIVIST, { documentClass: 'rapport' });
    seals.push((await t.vault.seal(ENGINE))!);
  }
  // An unsealed tail after the last seal.
  await t.vault.read(ARCHIVIST, contract.id);
});
afterAll(async () => {
  await t?.close();
});

async function audit(): Promise<{ clean: boolean; errors: Anomaly[]; warnings: Anomaly[] }> {
  const r = await t.vault.audit(ARCHIVIST, { signatures: false });
  return { clean: r.clean, errors: r.anomalies.filter((a) => a.severity === 'error'), warnings: r.anomalies.filter((a) => a.severity === 'warning') };
}

/** Runs `tamper`, audits, then puts everything back with `restore` and checks the vault is clean again. */
async function whileTampered(tamper: () => Promise<void>, restore: () => Promise<void>): Promise<Anomaly[]> {
  await tamper();
  let errors: Anomaly[];
  try {
    ({ errors } = await audit());
  } finally {
    await restore();
  }
  expect((await audit()).errors).toEqual([]);
  return errors;
}

async function entryAbout(objectId: string, operation = 'deposit') {
  const [row] = await t.db.sql<{ seq: bigint; body: string; hash: string; outcome: string }[]>`
    select seq, body, hash, outcome from vault_journal where object_id = ${objectId} and operation = ${operation} order by seq limit 1`;
  return { seq: Number(row!.seq), body: row!.body, hash: row!.hash };
}

describe('sealing', () => {
  it('seals every entry since the last seal, chains each seal to the previous one, and archives it as an object', async () => {
    expect(seals.map((s) => s.id)).toEqual(['SC-000001', 'SC-000002', 'SC-000003']);
    expect(seals[0]!.firstSeq).toBe(1);
    expect(seals[1]!.firstSeq).toBe(seals[0]!.lastSeq + 1);
    const doc2 = parseSealDocument(seals[1]!.document);
    expect(doc2.previous).toEqual({ sealId: 'SC-000001', tokenSha512: sha512Hex(seals[0]!.token) });
    expect(doc2.merkleRoot).toBe(seals[1]!.merkleRoot);
    const check = await t.ports.timestamper.verify(seals[1]!.token, sha512(seals[1]!.document));
    expect(check).toMatchObject({ ok: true, reasons: [] });
    const archivedToken = await t.vault.read(ARCHIVIST, seals[1]!.tokenObjectId);
    expect(archivedToken.content.equals(Buffer.from(seals[1]!.token))).toBe(true);
    expect(archivedToken.object.retentionEnd).toBeNull();
    // The seal's own deposit and its "seal" entry fall into the next period.
    const sealEntry = await entryAbout('SC-000002', 'seal');
    expect(sealEntry.seq).toBeGreaterThan(seals[1]!.lastSeq);
    expect(sealEntry.seq).toBeLessThanOrEqual(seals[2]!.lastSeq);
  });

  it('links the seals of a month and a year before', async () => {
    t.clock.advanceDays(400);
    try {
      await t.vault.read(ARCHIVIST, note.id);
      const later = (await t.vault.seal(ENGINE))!;
      const doc = parseSealDocument(later.document);
      // Every earlier seal is more than a month and a year old by now: the newest of them is named.
      expect(doc.monthBefore).toEqual({ sealId: 'SC-000003', tokenSha512: sha512Hex(seals[2]!.token) });
      expect(doc.yearBefore).toEqual({ sealId: 'SC-000003', tokenSha512: sha512Hex(seals[2]!.token) });
      seals.push(later);
    } finally {
      t.clock.offsetMs = 0;
    }
  });
});

describe('audit', () => {
  it('finds an untouched vault clean: copies, journal, seals and the signed contract, with progress reported', async () => {
    const phases = new Set<string>();
    let last: AuditProgress | null = null;
    const report = await t.vault.audit(ARCHIVIST, {
      onProgress: (p) => {
        phases.add(p.phase);
        if (p.phase === 'objets') last = p;
      },
    });
    expect(report.anomalies.filter((a) => a.severity === 'error')).toEqual([]);
    expect(report.clean).toBe(true);
    expect(report.signatures).toEqual({ checked: 1, passed: 1, failed: 0, indeterminate: 0 });
    expect(report.seals.checked).toBe(seals.length);
    expect(report.objects.copies).toBe(report.objects.checked * 2);
    expect([...phases]).toEqual(['objets', 'journal', 'sceaux', 'signatures']);
    expect(last!.bytesDone).toBe(last!.bytesTotal);
    const [row] = await t.db.sql<{ outcome: string; body: string }[]>`select outcome, body from vault_journal where operation = 'audit' order by seq desc limit 1`;
    expect(row!.outcome).toBe('clean');
  });

  it('reports one changed byte of a stored object, naming the object and the location', async () => {
    const file = t.stores[1]!.pathOf(note.sha512);
    const original = fs.readFileSync(file);
    const errors = await whileTampered(
      async () => {
        const changed = Buffer.from(original);
        changed[3] = changed[3]! ^ 0x01;
        fs.chmodSync(file, 0o644);
        fs.writeFileSync(file, changed);
      },
      async () => fs.writeFileSync(file, original),
    );
    expect(errors).toEqual([expect.objectContaining({ kind: 'copy-altered', target: { type: 'object', id: note.id } })]);
    expect(errors[0]!.message).toContain('emplacement 2');
  });

  it('reports a copy dropped from one location', async () => {
    const file = t.stores[0]!.pathOf(contract.sha512);
    const original = fs.readFileSync(file);
    const errors = await whileTampered(
      async () => fs.rmSync(file),
      async () => fs.writeFileSync(file, original),
    );
    expect(errors).toEqual([expect.objectContaining({ kind: 'copy-missing', target: { type: 'object', id: contract.id } })]);
    expect(errors[0]!.message).toContain('copie absente de emplacement 1');
  });

  it('reports a journal entry deleted, naming its number', async () => {
    const victim = await entryAbout(note.id);
    let saved: Record<string, unknown>[] = [];
    const errors = await whileTampered(
      async () => {
        saved = await t.db.sql`delete from vault_journal where seq = ${victim.seq} returning *`;
      },
      async () => {
        await t.db.sql`insert into vault_journal ${t.db.sql(saved[0]!)}`;
      },
    );
    expect(errors).toContainEqual(expect.objectContaining({ kind: 'entry-missing', target: { type: 'entry', id: String(victim.seq) } }));
    expect(errors).toContainEqual(expect.objectContaining({ kind: 'seal-root-mismatch', target: { type: 'seal', id: 'SC-000002' } }));
  });

  it('reports two entries swapped, naming both', async () => {
    const a = await entryAbout(note.id);
    const b = a.seq + 1;
    const swap = async () => {
      await t.db.sql.begin(async (tx) => {
        await tx`update vault_journal set seq = 999999999 where seq = ${a.seq}`;
        await tx`update vault_journal set seq = ${a.seq} where seq = ${b}`;
        await tx`update vault_journal set seq = ${b} where seq = 999999999`;
      });
    };
    const errors = await whileTampered(swap, swap);
    const named = errors.filter((e) => e.kind === 'entry-out-of-place').map((e) => e.target.id);
    expect(named).toEqual([String(a.seq), String(b)]);
  });

  it('reports an edited entry, also when its stored hash was recomputed to hide it', async () => {
    const victim = await entryAbout(note.id);
    const forged = victim.body.replace('"documentClass":"rapport"', '"documentClass":"facture"');
    expect(forged).not.toBe(victim.body);
    const restore = async () => {
      await t.db.sql`update vault_journal set body = ${victim.body}, hash = ${victim.hash} where seq = ${victim.seq}`;
    };
    const edited = await whileTampered(async () => {
      await t.db.sql`update vault_journal set body = ${forged} where seq = ${victim.seq}`;
    }, restore);
    expect(edited).toContainEqual(expect.objectContaining({ kind: 'entry-altered', target: { type: 'entry', id: String(victim.seq) } }));

    const rehashed = await whileTampered(async () => {
      await t.db.sql`update vault_journal set body = ${forged}, hash = ${sha512Hex(forged)} where seq = ${victim.seq}`;
    }, restore);
    expect(rehashed).toContainEqual(expect.objectContaining({ kind: 'chain-broken', target: { type: 'entry', id: String(victim.seq) } }));
    expect(rehashed).toContainEqual(expect.objectContaining({ kind: 'seal-root-mismatch', target: { type: 'seal', id: 'SC-000002' } }));
    expect(rehashed.some((e) => e.kind === 'entry-altered')).toBe(false);
  });

  it('reports an entry whose search columns no longer say what its sealed bytes say', async () => {
    const victim = await entryAbout(note.id);
    const errors = await whileTampered(
      async () => {
        await t.db.sql`update vault_journal set outcome = 'refused' where seq = ${victim.seq}`;
      },
      async () => {
        await t.db.sql`update vault_journal set outcome = 'ok' where seq = ${victim.seq}`;
      },
    );
    expect(errors).toEqual([expect.objectContaining({ kind: 'entry-columns', target: { type: 'entry', id: String(victim.seq) } })]);
  });

  it('reports a seal replaced by another validly timestamped one, naming it', async () => {
    const victim = seals[1]!;
    const timestamper = inProcessTimestamper(t.tsa);
    // Same text, a new genuine token: only the chain and the archived copy can tell.
    const otherToken = await timestamper.timestamp(sha512(victim.document), 'SHA-512');
    const restore = async () => {
      await t.db.sql`update vault_seal set document = ${victim.document}, token = ${Buffer.from(victim.token)}, merkle_root = ${victim.merkleRoot} where id = ${victim.id}`;
    };
    const retimestamped = await whileTampered(async () => {
      await t.db.sql`update vault_seal set token = ${Buffer.from(otherToken)} where id = ${victim.id}`;
    }, restore);
    expect(retimestamped).toContainEqual(expect.objectContaining({ kind: 'seal-chain-broken', target: { type: 'seal', id: victim.id } }));
    expect(retimestamped).toContainEqual(expect.objectContaining({ kind: 'seal-archive-mismatch', target: { type: 'seal', id: victim.id } }));

    // A forged seal over another root, timestamped for real.
    const forgedDocument = victim.document.replace(victim.merkleRoot, 'ab'.repeat(64));
    const forgedToken = await timestamper.timestamp(sha512(forgedDocument), 'SHA-512');
    const forged = await whileTampered(async () => {
      await t.db.sql`update vault_seal set document = ${forgedDocument}, token = ${Buffer.from(forgedToken)}, merkle_root = ${'ab'.repeat(64)} where id = ${victim.id}`;
    }, restore);
    expect(forged).toContainEqual(expect.objectContaining({ kind: 'seal-root-mismatch', target: { type: 'seal', id: victim.id } }));
    expect(forged).toContainEqual(expect.objectContaining({ kind: 'seal-chain-broken', target: { type: 'seal', id: victim.id } }));

    // A token that is not a timestamp of this seal at all.
    const invalid = await whileTampered(async () => {
      await t.db.sql`update vault_seal set token = ${Buffer.from(seals[0]!.token)} where id = ${victim.id}`;
    }, restore);
    expect(invalid).toContainEqual(expect.objectContaining({ kind: 'seal-timestamp-invalid', target: { type: 'seal', id: victim.id } }));
  });

  it('reports entries cut from the end of the journal', async () => {
    const [head] = await t.db.sql<{ seq: bigint }[]>`select seq from vault_journal_head`;
    let saved: Record<string, unknown>[] = [];
    const errors = await whileTampered(
      async () => {
        saved = await t.db.sql`delete from vault_journal where seq = ${Number(head!.seq)} returning *`;
      },
      async () => {
        await t.db.sql`insert into vault_journal ${t.db.sql(saved[0]!)}`;
      },
    );
    expect(errors).toContainEqual(expect.objectContaining({ kind: 'entry-missing', target: { type: 'entry', id: String(head!.seq) } }));
  });

  it('refuses to seal entries that were tampered with before their seal', async () => {
    await t.vault.read(ARCHIVIST, note.id);
    const [row] = await t.db.sql<{ seq: bigint; body: string }[]>`select seq, body from vault_journal order by seq desc limit 1`;
    const seq = Number(row!.seq);
    await t.db.sql`update vault_journal set body = ${row!.body.replace('"outcome":"ok"', '"outcome":"refused"')} where seq = ${seq}`;
    try {
      const error = await t.vault.seal(ENGINE).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'JOURNAL_ALTERED', message: expect.stringContaining(`entrée n° ${seq} modifiée`) });
    } finally {
      await t.db.sql`update vault_journal set body = ${row!.body} where seq = ${seq}`;
    }
    const seal = await t.vault.seal(ENGINE);
    expect(seal!.firstSeq).toBeLessThanOrEqual(seq);
    seals.push(seal!);
  });

  it('reports content without a deposit as a warning only (an interrupted deposit)', async () => {
    await t.stores[0]!.put(sha512Hex('orphelin'), bytes('orphelin'));
    const r = await audit();
    expect(r.clean).toBe(true);
    expect(r.warnings).toContainEqual(expect.objectContaining({ kind: 'orphan-content', target: { type: 'location', id: 'emplacement 1' } }));
  });

  it('re-verifies the signed PDFs: a contract whose signature no longer holds is reported by name', async () => {
    const signed = await t.signedContract({ level: 'B-T' });
    // One byte of the signed revision changed before the deposit: its digest no longer matches.
    const at = signed.indexOf('595', signed.indexOf('/MediaBox'), 'latin1');
    expect(at).toBeGreaterThan(0);
    const broken = Buffer.from(signed);
    broken[at + 2] = '4'.charCodeAt(0);
    const { objects } = await t.vault.deposit(ENGINE, contractPackage(broken, { dossierId: 'D-AUDIT-CASSE' }));
    const report = await t.vault.audit(ARCHIVIST);
    expect(report.clean).toBe(false);
    expect(report.anomalies).toContainEqual(expect.objectContaining({ kind: 'signature-failed', target: { type: 'object', id: objects[0]!.id } }));
    expect(report.signatures).toMatchObject({ checked: 2, passed: 1, failed: 1 });
  });
});
