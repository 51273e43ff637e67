/** ANSI styles used for human output. */
export interface Styles {
  heading(text: string): string;
  muted(text: string): string;
  error(text: string): string;
  warn(text: string): string;
  ok(text: string): string;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

const ANSI: Styles = {
  heading: wrap(1, 22),
  muted: wrap(2, 22),
  error: wrap(31, 39),
  warn: wrap(33, 39),
  ok: wrap(32, 39),
};

const PLAIN: Styles = {
  heading: (text) => text,
  muted: (text) => text,
  error: (text) => text,
  warn: (text) => text,
  ok: (text) => text,
};

/**
 * Colours only on a terminal and never when `NO_COLOR` is set to anything non-empty
 * (https://no-color.org); piped output (WN1's `system.run`) is always plain.
 */
export function stylesFor(stream: { isTTY?: boolean | undefined }, env: NodeJS.ProcessEnv): Styles {
  const noColor = env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "";
  return stream.isTTY === true && !noColor && env["TERM"] !== "dumb" ? ANSI : PLAIN;
}
