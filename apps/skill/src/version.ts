/** Version of the `remote-gateway` bin and skill (kept in step with package.json; a test checks). */
export const SKILL_VERSION = "0.1.0";
