import { ConnectParams, PROTOCOL_VERSION } from "@clawbridge/protocol";
import type { ClientInfo, ConnectAuth } from "@clawbridge/protocol";
import { formatValidationIssues } from "@clawbridge/rpc-core";
import { signDeviceProof } from "./device-identity.js";
import type { DeviceIdentity, DeviceSignatureVersion } from "./device-identity.js";
import type { ChallengeInfo } from "./connect-handshake.js";
import { GatewayClientError, HandshakeProtocolError } from "./errors.js";

/** Inputs of {@link buildConnectParams}. */
export interface ConnectParamsInput {
  readonly client: ClientInfo;
  readonly role: string;
  /** Requested scopes, in the order they are signed. */
  readonly scopes: readonly string[];
  /** `connect.params.caps`. */
  readonly caps: readonly string[];
  /** Credentials; omitted from the frame when empty. */
  readonly auth: ConnectAuth | undefined;
  /** Device identity to prove, if any. */
  readonly device: { readonly identity: DeviceIdentity; readonly signatureVersion: DeviceSignatureVersion } | undefined;
  readonly challenge: ChallengeInfo;
}

function hasAnyCredential(auth: ConnectAuth | undefined): auth is ConnectAuth {
  return auth !== undefined && Object.values(auth).some((value) => typeof value === "string" && value.length > 0);
}

/**
 * The `connect` request params: protocol 4..4, client info, role, scopes, caps, auth,
 * and the Ed25519 device proof signed over the challenge (`signedAt = challenge.ts`).
 * Validated against the protocol's closed `ConnectParams` schema; a failure names the
 * field, never a value.
 */
export function buildConnectParams(input: ConnectParamsInput): ConnectParams {
  const params: ConnectParams = {
    minProtocol: PROTOCOL_VERSION,
    maxProtocol: PROTOCOL_VERSION,
    client: input.client,
    caps: [...input.caps],
    role: input.role,
    scopes: [...input.scopes],
  };
  const auth = hasAnyCredential(input.auth) ? input.auth : undefined;
  if (auth !== undefined) params.auth = auth;
  if (input.device !== undefined) {
    if (input.challenge.ts === undefined) {
      throw new HandshakeProtocolError("gateway connect challenge timestamp invalid");
    }
    params.device = signDeviceProof(input.device.identity, {
      clientId: input.client.id,
      clientMode: input.client.mode,
      role: input.role,
      scopes: params.scopes ?? [],
      auth,
      platform: input.client.platform,
      deviceFamily: input.client.deviceFamily,
      challenge: { nonce: input.challenge.nonce, ts: input.challenge.ts },
      version: input.device.signatureVersion,
    });
  }
  const checked = ConnectParams.safeParse(params);
  if (!checked.success) {
    throw new GatewayClientError(
      "INVALID_CONNECT_PARAMS",
      `invalid connect params: ${formatValidationIssues(checked.error.issues, params)}`,
    );
  }
  return params;
}
