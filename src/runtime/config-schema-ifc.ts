// The information-flow parts of `maos.yaml` (issue 7): per-field output labels, quarantine, and
// sink policies (critical arguments' provenance, context rules). Composed into config-schema.ts.

import { z } from 'zod';
import { CONFIDENTIALITY, INTEGRITY } from '../ifc/index.ts';

const LabelSchema = z.strictObject({
  confidentiality: z.enum(CONFIDENTIALITY).default('INTERNAL'),
  integrity: z.enum(INTEGRITY).default('UNTRUSTED'),
});

/** `*` stands for any key or array index; other segments are literal keys (or indexes). */
const FIELD_PATH = /^(?:\*|[^.*]{1,128})(?:\.(?:\*|[^.*]{1,128})){0,31}$/;

const FieldLabelSchema = z
  .strictObject({
    confidentiality: z.enum(CONFIDENTIALITY).optional(),
    integrity: z.enum(INTEGRITY).optional(),
  })
  .meta({ description: 'overrides part of the output label for one field of the result' });

export const OutputLabelSchema = LabelSchema.extend({
  /** Per-field labels by JSON path (`*.from`, `messages.*.id`); the most specific path wins. */
  fields: z
    .record(
      z.string().regex(FIELD_PATH, { error: 'must be a dotted path of keys or `*`, at most 32 segments' }),
      FieldLabelSchema,
    )
    .refine((fields) => Object.keys(fields).length <= 256, { error: 'must have at most 256 entries' })
    .default({}),
  /**
   * The confidentiality of each record (the result, or each item of a list) read off one of its
   * fields: `levels` maps the field's value to a level, `otherwise` covers other values. Only a
   * field labelled TRUSTED may lower a record below `confidentiality`; an untrusted one can only raise it.
   */
  classifiedBy: z
    .strictObject({
      field: z.string().regex(FIELD_PATH, { error: 'must be a dotted path of keys' }),
      levels: z
        .record(z.string().min(1).max(256), z.enum(CONFIDENTIALITY))
        .refine((levels) => Object.keys(levels).length <= 256, { error: 'must have at most 256 entries' }),
      otherwise: z.enum(CONFIDENTIALITY),
    })
    .optional(),
  /** Hand untrusted parts of the result to the planner as opaque references (CaMeL's quarantine). */
  quarantine: z.boolean().default(false),
});

const ARGUMENT_NAME = /^[A-Za-z0-9_$-]{1,128}$/;

const PatternsSchema = z.array(z.string().min(1).max(256)).min(1).max(64);

const RangeSchema = z
  .strictObject({ min: z.number().finite().optional(), max: z.number().finite().optional() })
  .refine((range) => range.min !== undefined || range.max !== undefined, {
    error: 'must give `min`, `max` or both',
  })
  .refine((range) => range.min === undefined || range.max === undefined || range.min <= range.max, {
    error: '`min` must not exceed `max`',
  });

/**
 * Argument → glob patterns (`*` wildcard, case-insensitive, never spanning `@ , ; / :` or spaces) or a
 * number range `{ min, max }`: holds when every listed argument's value matches.
 */
const ConditionSchema = z
  .record(
    z.string().regex(ARGUMENT_NAME, { error: 'must be an argument name' }),
    z.union([PatternsSchema, RangeSchema], {
      error: (issue) =>
        issue.code === 'invalid_union' ? 'must be a list of patterns or a range `{ min, max }`' : undefined,
    }),
  )
  .refine((condition) => Object.keys(condition).length <= 16, { error: 'must have at most 16 entries' });

const ArgumentRuleSchema = z
  .strictObject({
    /** `trusted`: seen in a trusted source; `untainted`: never from untrusted data; `any`. */
    requires: z.enum(['trusted', 'untainted', 'any']),
    otherwise: z.enum(['escalate', 'deny']).default('escalate'),
    /** `whole`: the argument's value; `links`: every link (URL) written inside its text. */
    part: z.enum(['whole', 'links']).default('whole'),
    /** Values named as fine wherever they were read: patterns for the value, or for each link's host (`links`). */
    allow: PatternsSchema.optional(),
    /** The rule is waived when this condition on the call's arguments holds. */
    unless: ConditionSchema.optional(),
  })
  .meta({ description: 'what provenance a critical argument needs, and what happens otherwise' });

const ContextRuleSchema = z
  .strictObject({
    when: z
      .strictObject({
        /** The session has read data at least this untrusted. */
        read: z.enum(INTEGRITY).optional(),
        /** The session holds data at least this confidential. */
        holds: z.enum(CONFIDENTIALITY).optional(),
      })
      .refine((when) => when.read !== undefined || when.holds !== undefined, {
        error: 'must give `read`, `holds` or both',
      }),
    /** The rule is skipped when this condition on the call's arguments holds. */
    unless: ConditionSchema.default({}),
    // biome-ignore lint/suspicious/noThenProperty: `then` reads naturally in maos.yaml (when … unless … then …); the parsed config is never awaited.
    then: z.enum(['escalate', 'deny']).default('escalate'),
    reason: z.string().min(1).max(512).optional(),
  })
  .meta({ description: 'a context rule: escalate or deny when the session read or holds such data' });

export const SinkSchema = z
  .strictObject({
    arguments: z
      .record(z.string().regex(ARGUMENT_NAME, { error: 'must be an argument name' }), ArgumentRuleSchema)
      .refine((args) => Object.keys(args).length <= 64, { error: 'must have at most 64 entries' })
      .default({}),
    rules: z.array(ContextRuleSchema).max(32).default([]),
    /** The destination is cleared for a higher level when a condition holds (mail that stays in the company). */
    cleared: z
      .array(
        z.strictObject({
          level: z.enum(CONFIDENTIALITY),
          when: ConditionSchema.refine((when) => Object.keys(when).length > 0, {
            error: 'must name an argument',
          }),
        }),
      )
      .max(16)
      .default([]),
  })
  .meta({ description: "provenance a side effect's critical arguments need, and context rules (§11)" });
