// The `declassification:` part of `maos.yaml` (§11.3, issue 7): templates that may skip gate 3,
// extra gate-1 classification keywords, the similarity bound and the per-agent aggregate window.
// Composed into config-schema.ts; compiled into `Policy.declassification` by config.ts.

import { z } from 'zod';
import { CONFIDENTIALITY, confidentialityRank } from '../ifc/index.ts';

/** Bounds on the section, so a config cannot make gate 1 or the template match unbounded. */
export const DECLASSIFICATION_LIMITS = {
  templatesMax: 256,
  patternCharsMax: 1024,
  dictionaryMax: 1024,
  keywordCharsMax: 256,
  /** `count()` of the protocol's window saturates at 10,000; a higher threshold could never trip. */
  perAgentMax: 1000,
} as const;

const TEMPLATE_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

function compilesAnchored(pattern: string): boolean {
  try {
    // WHY: the Declassifier wraps the pattern as below; a pattern it would drop is refused here, and
    // so is one that only compiles wrapped (`a)|(?:b` closes the wrapper's group and escapes the anchors).
    new RegExp(pattern, 'i');
    new RegExp(`^(?:${pattern})$`, 'i');
    return true;
  } catch {
    return false;
  }
}

const TemplateSchema = z
  .strictObject({
    id: z.string().regex(TEMPLATE_ID, { error: 'must be 1 to 128 letters, digits or `_` `.` `:` `-`' }),
    from: z.enum(CONFIDENTIALITY),
    to: z.enum(CONFIDENTIALITY),
    pattern: z
      .string()
      .min(1)
      .max(DECLASSIFICATION_LIMITS.patternCharsMax)
      .refine(compilesAnchored, { error: 'must be a valid regular expression' }),
  })
  .superRefine((template, ctx) => {
    if (confidentialityRank(template.to) >= confidentialityRank(template.from)) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: 'must be below `from`: a template declassifies',
      });
    }
  })
  .meta({
    description:
      'pre-approved output: a proposed text fully matching `pattern` (case-insensitive) for exactly `from` → `to` skips gate 3 (only gate 3)',
  });

/**
 * The section's schema. `duration` is the root schema's duration type (passed in, so this module
 * does not import config-schema.ts, which imports it).
 */
export function declassificationSchema(duration: z.ZodType<string>) {
  return z
    .strictObject({
      templates: z
        .array(TemplateSchema)
        .max(DECLASSIFICATION_LIMITS.templatesMax)
        .superRefine((templates, ctx) => {
          const seen = new Set<string>();
          templates.forEach((template, index) => {
            if (seen.has(template.id)) {
              ctx.addIssue({
                code: 'custom',
                path: [index, 'id'],
                message: 'repeats an earlier template id',
              });
            }
            seen.add(template.id);
          });
        })
        .default([]),
      /** Added to the built-in classification markings (CONFIDENTIAL, SECRET, …), never replacing them. */
      dictionary: z
        .array(
          z
            .string()
            .max(DECLASSIFICATION_LIMITS.keywordCharsMax)
            .refine((keyword) => keyword.trim() !== '', { error: 'must not be empty' }),
        )
        .max(DECLASSIFICATION_LIMITS.dictionaryMax)
        .default([]),
      /** Gate 1 blocks a proposed text more similar than this to the source (default 0.7, §11.3). */
      similarityMax: z.number().min(0).max(1).optional(),
      /** Declassifications per agent per `window` before the next ones escalate (§49.11: 10 in 24 h). */
      perAgentMax: z.number().int().min(0).max(DECLASSIFICATION_LIMITS.perAgentMax).default(10),
      window: duration.default('24h'),
    })
    .meta({ description: 'the three-gate declassification protocol (§11.3)' });
}
