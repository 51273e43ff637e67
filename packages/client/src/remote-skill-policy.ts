import * as z from "zod";
import { lazySchema } from "@clawbridge/protocol";

/**
 * A node command name as `node.invoke` takes it (`canvas.snapshot`, `camera.list`,
 * `fs.listDir`). Restricted to a token without spaces or regex-relevant surprises so
 * it can be matched exactly and embedded in an exec-approvals `argPattern`.
 */
export const NodeCommandName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "must be a node command name (letters, digits, . _ : -)");

/**
 * What the `remote-gateway` OpenClaw skill (apps/skill) may do with this remote, on
 * top of the profile's scope ceiling. An agent drives that skill, so everything
 * beyond the read-only verbs is off unless the operator turns it on here:
 *
 * * `allowInvoke` — node commands the skill's `invoke` verb may send through
 *   `node.invoke` (exact names). Default: none.
 * * `allowCall` — enable the raw `call <method>` escape hatch. Default: false.
 *
 * It lives in the profile (not a separate policy file) so one 0600, validated file
 * holds where a remote is, how to authenticate and what an agent may do there.
 */
export const RemoteSkillPolicy = lazySchema(() =>
  z.strictObject({
    /** Node commands the skill may invoke on this remote's nodes. Default `[]`. */
    allowInvoke: z
      .array(NodeCommandName)
      .max(256)
      .refine((names) => new Set(names).size === names.length, "allowInvoke has duplicates")
      .optional(),
    /** Allow the skill's raw `call <method>` verb (still within `scopes`). Default false. */
    allowCall: z.boolean().optional(),
  }),
);
export type RemoteSkillPolicy = z.infer<typeof RemoteSkillPolicy>;

/** A skill policy with its defaults applied. */
export interface EffectiveSkillPolicy {
  readonly allowInvoke: readonly string[];
  readonly allowCall: boolean;
}

/** The policy of a profile's `skill` section with defaults (`allowInvoke: []`, `allowCall: false`). */
export function effectiveSkillPolicy(policy: RemoteSkillPolicy | undefined): EffectiveSkillPolicy {
  return { allowInvoke: policy?.allowInvoke ?? [], allowCall: policy?.allowCall ?? false };
}
