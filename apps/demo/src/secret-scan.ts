/** Whether a secret was found in one place. */
export interface SecretExposure {
  /** Where we looked (e.g. `GW1 traffic`). */
  readonly place: string;
  /** Which secret (e.g. `GW2 token`); never its value. */
  readonly secret: string;
  readonly found: boolean;
}

/**
 * Looks for each secret's exact text in each place. The report names secrets and
 * places, never values, so it can be printed and stored.
 *
 * @param secrets - label → secret value
 * @param places - label → everything recorded there, as text
 */
export function scanForSecrets(secrets: Readonly<Record<string, string>>, places: Readonly<Record<string, string>>): SecretExposure[] {
  const exposures: SecretExposure[] = [];
  for (const [secret, value] of Object.entries(secrets)) {
    if (value === "") throw new Error(`secret ${secret} is empty: nothing to look for`);
    for (const [place, text] of Object.entries(places)) exposures.push({ place, secret, found: text.includes(value) });
  }
  return exposures;
}
