import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { ConfigError } from '../config/env.ts';

/** Where the engine's Temporal lives: the same fields for a dev server and a cluster. */
export interface TemporalTarget {
  address: string;
  namespace: string;
  /** PEM files for mutual TLS; a CA alone enables server-authenticated TLS. */
  tls?: { certFile?: string | undefined; keyFile?: string | undefined; caFile?: string | undefined };
}

interface TlsOptions {
  serverRootCACertificate?: Buffer;
  clientCertPair?: { crt: Buffer; key: Buffer };
}

function tlsOptions(target: TemporalTarget): TlsOptions | undefined {
  const { certFile, keyFile, caFile } = target.tls ?? {};
  if (!certFile && !keyFile && !caFile) return undefined;
  if (Boolean(certFile) !== Boolean(keyFile)) {
    throw new ConfigError('TEMPORAL_TLS_CERT et TEMPORAL_TLS_KEY vont ensemble : donnez les deux, ou aucun.');
  }
  const options: TlsOptions = {};
  if (caFile) options.serverRootCACertificate = fs.readFileSync(caFile);
  if (certFile && keyFile) options.clientCertPair = { crt: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) };
  return options;
}

/** The client the API uses to start, update and query workflows. */
export async function connectClient(target: TemporalTarget): Promise<Client> {
  const tls = tlsOptions(target);
  const connection = await Connection.connect({ address: target.address, ...(tls ? { tls } : {}) });
  return new Client({ connection, namespace: target.namespace });
}

/** The native connection workers poll through. */
export async function connectWorker(target: TemporalTarget): Promise<NativeConnection> {
  const tls = tlsOptions(target);
  return NativeConnection.connect({ address: target.address, ...(tls ? { tls } : {}) });
}

/** Resolves when the Temporal frontend answers for the client's namespace within `timeoutMs`. */
export async function checkTemporal(client: Client, timeoutMs = 2_000): Promise<void> {
  await client.connection.withDeadline(Date.now() + timeoutMs, () => client.workflowService.describeNamespace({ namespace: client.options.namespace }));
}

export function targetFromEnv(
  env: {
    TEMPORAL_ADDRESS?: string | undefined;
    TEMPORAL_NAMESPACE: string;
    TEMPORAL_TLS_CERT?: string | undefined;
    TEMPORAL_TLS_KEY?: string | undefined;
    TEMPORAL_TLS_CA?: string | undefined;
  },
  fallbackAddress?: string,
): TemporalTarget {
  const address = env.TEMPORAL_ADDRESS ?? fallbackAddress;
  if (!address) throw new ConfigError('TEMPORAL_ADDRESS n’est pas défini et aucun serveur Temporal de développement n’a été démarré.');
  return {
    address,
    namespace: env.TEMPORAL_NAMESPACE,
    tls: { certFile: env.TEMPORAL_TLS_CERT, keyFile: env.TEMPORAL_TLS_KEY, caFile: env.TEMPORAL_TLS_CA },
  };
}
