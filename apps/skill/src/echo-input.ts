/** Longest piece of user input an error message repeats (characters). */
export const MAX_ECHO_CHARS = 80;

/**
 * User input as an error message may repeat it: at most {@link MAX_ECHO_CHARS}
 * characters (code points), then `…` and how long it was. An agent pays for every
 * byte of output; a 100 KB argument must not come back as a 100 KB error.
 */
export function echoInput(text: string): string {
  if (text.length <= MAX_ECHO_CHARS) return text;
  // Whole code points only (never half a surrogate pair), from a bounded prefix.
  const head = Array.from(text.slice(0, MAX_ECHO_CHARS * 2)).slice(0, MAX_ECHO_CHARS);
  if (head.join("") === text) return text;
  return `${head.join("")}… (${text.length} chars)`;
}

/** Clips every quoted argument (`'…'`, as commander quotes them) in a parse error message. */
export function clipQuoted(message: string): string {
  return message.replace(/'([^']*)'/g, (_match, inner: string) => `'${echoInput(inner)}'`);
}
