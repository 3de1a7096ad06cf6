import { journalEntries, lastSeal, insertSeal, sealAtOrBefore, streamJournal, type Queryable } from '../db/repositories/vault.ts';
import { SEAL_CLASS } from './config.ts';
import type { VaultContext } from './context.ts';
import { preparePackage, recordPackage, storeContents } from './deposit.ts';
import { VaultError } from './errors.ts';
import { GENESIS_HASH, sha512, sha512Hex } from './hashing.ts';
import { sealIdOf } from './ids.ts';
import { appendEntry, ChainChecker } from './journal.ts';
import { leafHash, MerkleTree } from './merkle.ts';
import { formatSealDocument, type ChainLink } from './seal-document.ts';
import type { SealHeader, SealRecord } from './types.ts';

/** Arbitrary constant: two sealers at once take turns. */
const SEAL_LOCK = 7_320_140_001;

export const SEAL_DOCUMENT_NAME = 'sceau.txt';
export const SEAL_TOKEN_NAME = 'jeton.tst';
export const TOKEN_MEDIA_TYPE = 'application/timestamp-token';

/**
 * Seals every entry appended since the last seal (Vitam's secured logbook): a Merkle tree
 * of the entries, a document naming its root, the last entry's hash and the tokens of the
 * previous seal and of the seals a month and a year before, an RFC 3161 timestamp over
 * that document's SHA-512, and both archived in the vault as a package of their own.
 * Returns null when nothing was appended since the last seal. Refuses to seal a broken
 * chain: the seal would vouch for tampered entries.
 */
export async function sealJournal(ctx: VaultContext, actor: string): Promise<SealRecord | null> {
  return ctx.sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${SEAL_LOCK})`;
    const previous = await lastSeal(tx);
    const [headRow] = await tx<{ seq: bigint }[]>`select seq from vault_journal_head`;
    const firstSeq = (previous?.lastSeq ?? 0) + 1;
    const lastSeq = Number(headRow!.seq);
    if (lastSeq < firstSeq) return null;

    const { leaves, periodStart, periodEnd, lastHash } = await sealableRange(tx, firstSeq, lastSeq);
    const root = new MerkleTree(leaves).root.toString('hex');
    const now = ctx.now();
    const number = (previous?.number ?? 0) + 1;
    const id = sealIdOf(number);
    const header: SealHeader = { id, number, firstSeq, lastSeq, periodStart, periodEnd, merkleRoot: root };
    const document = formatSealDocument({
      ...header,
      lastEntryHash: lastHash,
      previous: linkTo(previous),
      monthBefore: linkTo(await sealAtOrBefore(tx, shiftMonths(now, -1))),
      yearBefore: linkTo(await sealAtOrBefore(tx, shiftMonths(now, -12))),
    });
    const imprint = sha512(document);
    let token: Uint8Array;
    try {
      token = await ctx.ports.timestamper.timestamp(imprint);
    } catch (error) {
      throw new VaultError('TIMESTAMP_FAILURE', `Scellement impossible : ${(error as Error).message}`, { cause: error });
    }
    const check = await ctx.ports.timestamper.verify(token, imprint);
    if (!check.ok || !check.genTime) {
      throw new VaultError('TIMESTAMP_FAILURE', `Scellement impossible : le jeton d'horodatage reçu est invalide (${check.reasons.join(' ; ')}).`);
    }

    const prepared = preparePackage({
      documentClass: SEAL_CLASS,
      objects: [
        { name: SEAL_DOCUMENT_NAME, mediaType: 'text/plain', content: Buffer.from(document, 'utf8') },
        { name: SEAL_TOKEN_NAME, mediaType: TOKEN_MEDIA_TYPE, content: token },
      ],
    });
    await storeContents(ctx.stores, prepared);
    const records = await recordPackage(tx, prepared, { depositor: actor, at: now, retention: ctx.settings.retention });
    if (!records) throw new VaultError('STORAGE_FAILURE', `Le sceau ${id} est déjà archivé.`);
    const seal: SealRecord = {
      ...header,
      document,
      token,
      tokenTime: check.genTime.toISOString(),
      sealedAt: now.toISOString(),
      documentObjectId: records[0]!.id,
      tokenObjectId: records[1]!.id,
    };
    await insertSeal(tx, seal);
    await appendEntry(tx, {
      operation: 'seal',
      actor,
      object: id,
      outcome: 'ok',
      time: now,
      details: { entries: `${firstSeq}-${lastSeq}`, merkleRoot: root, tokenSha512: sha512Hex(token), tokenTime: seal.tokenTime, package: prepared.packageId },
    });
    return seal;
  });
}

function linkTo(seal: SealRecord | null): ChainLink | null {
  return seal ? { sealId: seal.id, tokenSha512: sha512Hex(seal.token) } : null;
}

function shiftMonths(date: Date, months: number): Date {
  const d = new Date(date);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}

/** The leaves of the range, after checking that its entries are intact and chained. */
async function sealableRange(tx: Queryable, firstSeq: number, lastSeq: number): Promise<{ leaves: Buffer[]; periodStart: string; periodEnd: string; lastHash: string }> {
  const [before] = firstSeq > 1 ? await journalEntries(tx, { afterSeq: firstSeq - 2, upToSeq: firstSeq - 1 }) : [];
  const checker = new ChainChecker(before ? { seq: before.seq, hash: before.hash } : { seq: 0, hash: GENESIS_HASH });
  const leaves: Buffer[] = [];
  const problems: string[] = [];
  let periodStart = '';
  let periodEnd = '';
  let lastHash = '';
  for await (const entry of streamJournal(tx, firstSeq, lastSeq)) {
    problems.push(...checker.check(entry).map((p) => p.message));
    leaves.push(leafHash(entry.body));
    periodStart ||= entry.recordedAt;
    periodEnd = entry.recordedAt;
    lastHash = entry.hash;
  }
  problems.push(...checker.finish({ seq: lastSeq, hash: lastHash }).map((p) => p.message));
  if (problems.length > 0) {
    throw new VaultError('JOURNAL_ALTERED', `Scellement refusé : le journal est altéré (${problems.slice(0, 5).join(' ; ')}). Lancez un audit.`);
  }
  return { leaves, periodStart, periodEnd, lastHash };
}
