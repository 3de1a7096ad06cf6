import type { TimestampVerification, TimestampVerificationOptions } from './types.ts';

export async function verifyTimestampToken(token: Uint8Array, options: TimestampVerificationOptions): Promise<TimestampVerification> {
  void token;
  void options;
  throw new Error('verifyTimestampToken: en cours de développement');
}
