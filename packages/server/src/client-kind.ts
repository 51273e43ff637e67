/** The `client` fields of `connect` that decide how OpenClaw treats a client. */
export interface ClientKindInput {
  readonly id: string;
  readonly mode: string;
}

/** A CLI client (`client.mode:"cli"`, any id), as OpenClaw's `isGatewayCliClient`. */
export function isCliClient(client: ClientKindInput): boolean {
  return client.mode === "cli";
}

/**
 * An operator UI (`openclaw-control-ui`, `openclaw-browser-copilot`, `openclaw-tui`), as
 * OpenClaw's `isOperatorUiClient`: refused without a device identity
 * (`CONTROL_UI_DEVICE_IDENTITY_REQUIRED`, observed for `openclaw-tui`/`ui`).
 */
export function isOperatorUiClient(client: ClientKindInput): boolean {
  return client.id === "openclaw-control-ui" || client.id === "openclaw-browser-copilot" || client.id === "openclaw-tui";
}

/** The public webchat surface (`mode:"webchat"` or `webchat-ui`), as OpenClaw's `isWebchatClient`. */
export function isWebchatClient(client: ClientKindInput): boolean {
  return client.mode === "webchat" || client.id === "webchat-ui";
}
