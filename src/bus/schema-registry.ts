// JSON Schemas by id, compiled once with Ajv when registered. A receiver validates each payload
// against the schema its envelope names; an id nobody registered is refused (default deny).

import { Ajv, type ValidateFunction } from 'ajv';
import type { JsonValue } from '../shared/index.ts';

export type SchemaVerdict = { readonly ok: true } | { readonly ok: false; readonly problem: string };

export class SchemaRegistry {
  readonly #ajv = new Ajv({ allErrors: false, strict: true });
  readonly #validators = new Map<string, ValidateFunction>();

  constructor(schemas: Readonly<Record<string, object>> = {}) {
    for (const [id, schema] of Object.entries(schemas)) this.register(id, schema);
  }

  /** Compiles and registers a schema; throws on an invalid schema (host configuration). */
  register(id: string, schema: object): void {
    if (this.#validators.has(id)) throw new TypeError(`schema \`${id}\` is already registered`);
    this.#validators.set(id, this.#ajv.compile(schema));
  }

  has(id: string): boolean {
    return this.#validators.has(id);
  }

  /** Undefined when `id` is unknown. */
  validate(id: string, payload: JsonValue): SchemaVerdict | undefined {
    const validator = this.#validators.get(id);
    if (validator === undefined) return undefined;
    if (validator(payload)) return { ok: true };
    const first = validator.errors?.[0];
    const where = first?.instancePath === '' || first === undefined ? 'payload' : `\`${first.instancePath}\``;
    return { ok: false, problem: `${where} ${first?.message ?? 'does not match the schema'}` };
  }
}
