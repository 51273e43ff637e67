/**
 * The string a device signs in `connect` (gateway-protocol §2.6). Pure: signing and
 * verification (Ed25519) live with the client and server, which have crypto.
 */
export interface DeviceAuthPayloadInput {
  /** Lowercase hex SHA-256 of the raw public key. */
  deviceId: string;
  clientId: string;
  clientMode: string;
  /** Effective role, `"operator"` when absent from connect. */
  role: string;
  /** Exactly the `connect.params.scopes` array, same order. */
  scopes: readonly string[];
  /** `device.signedAt` in ms. */
  signedAtMs: number;
  /** `auth.token ?? auth.deviceToken ?? auth.bootstrapToken`; never the password. */
  token?: string | null | undefined;
  nonce: string;
  /** `client.platform` (v3 only). */
  platform?: string | null | undefined;
  /** `client.deviceFamily` (v3 only). */
  deviceFamily?: string | null | undefined;
}

/** Trim and lower ASCII A–Z only, as the gateway does for v3 metadata fields. */
export function normalizeDeviceMetadata(value: string | null | undefined): string {
  return (value ?? "").trim().replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** `v2|deviceId|clientId|clientMode|role|scopes|signedAt|token|nonce`. */
export function buildDeviceAuthPayloadV2(input: DeviceAuthPayloadInput): string {
  return [
    "v2",
    input.deviceId,
    input.clientId,
    input.clientMode,
    input.role,
    input.scopes.join(","),
    String(input.signedAtMs),
    input.token ?? "",
    input.nonce,
  ].join("|");
}

/** `v3|…v2 fields…|platform|deviceFamily` — what the reference client signs. */
export function buildDeviceAuthPayloadV3(input: DeviceAuthPayloadInput): string {
  return [
    "v3",
    input.deviceId,
    input.clientId,
    input.clientMode,
    input.role,
    input.scopes.join(","),
    String(input.signedAtMs),
    input.token ?? "",
    input.nonce,
    normalizeDeviceMetadata(input.platform),
    normalizeDeviceMetadata(input.deviceFamily),
  ].join("|");
}

/** The token field of the signed payload, from `connect.params.auth`. */
export function signatureTokenOf(
  auth: { token?: string | undefined; deviceToken?: string | undefined; bootstrapToken?: string | undefined } | undefined,
): string {
  return auth?.token ?? auth?.deviceToken ?? auth?.bootstrapToken ?? "";
}
