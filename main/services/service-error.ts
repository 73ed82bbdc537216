// The expected ways a service call can fail. Services throw these; the CommandRouter turns them into error Results so
// nothing is thrown across the boundary. Anything else that escapes is a bug and becomes `internal`.
import type { ErrorCode } from '../contract/contract';

export class ServiceError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { readonly field?: string; readonly status?: number } = {},
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}
