/**
 * The one base of the project's errors (docs/errors.md). `code` is stable: callers
 * branch on it (the API maps it to a problem+json status in api/problems.ts, the CLI to an
 * exit code in cli/errors.ts, the workflows to their refusal types). `message` is plain
 * French, safe to show to the person who asked: never a secret, never a stack.
 * Each module keeps its own subclass and its own union of codes.
 */
export class PasseportError<Code extends string = string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Whether `error` is one of the project's coded errors, optionally with one of `codes`. */
export function isPasseportError(error: unknown, ...codes: string[]): error is PasseportError {
  return error instanceof PasseportError && (codes.length === 0 || codes.includes(error.code));
}
