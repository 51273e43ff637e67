/**
 * Library surface of `@clawbridge/skill`, used by `clawbridge skill install` (which
 * loads it from the installed package whose `remote-gateway` bin it allowlists).
 * Pure functions and file copies only: no gateway client, so two copies of the client
 * library never meet in one process.
 */
export { buildAllowlistEntry, buildArgPattern, verbsBeyondCeiling, verbsInUse } from "./arg-pattern.js";
export type { AllowlistEntry, ExcludedVerb, SkillRemote } from "./arg-pattern.js";
export { installSkillFolder } from "./install-skill-folder.js";
export type { InstalledSkill } from "./install-skill-folder.js";
export { SKILL_NAME, skillSourceDir } from "./skill-files.js";
export { SKILL_VERSION } from "./version.js";
export { VERB_NAMES, VERBS } from "./verbs.js";
export type { VerbArgument, VerbName, VerbPolicy, VerbSpec } from "./verbs.js";

/** Version of the contract between this package and `clawbridge skill install`; bumped on breaking changes. */
export const SKILL_PACKAGE_API = 1;
