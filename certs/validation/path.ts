import type { PathValidationInput, PathValidationResult } from './types.ts';

export async function validatePath(input: PathValidationInput): Promise<PathValidationResult> {
  void input;
  throw new Error('validatePath: en cours de développement');
}
