// Outcomes as data, for every layer: a parser, a digest check or a command across the boundary answers with a
// Result instead of throwing. The contract's command Result is this type with a CommandError.

export type Result<T, E> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}
