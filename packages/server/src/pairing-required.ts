import { ConnectErrorDetailCodes, ErrorCodes, truncateCloseReason } from "@clawbridge/protocol";
import { connectRejection } from "./connect-rejection.js";
import type { ConnectRejection } from "./connect-rejection.js";
import type { PairingReason } from "./pairing-store.js";

const REQUIREMENT: Record<PairingReason, { requirement: string; remediationHint: string }> = {
  "not-paired": {
    requirement: "device is not approved yet",
    remediationHint: "Approve this device from the pending pairing requests.",
  },
  "role-upgrade": {
    requirement: "device is asking for a higher role than currently approved",
    remediationHint: "Review the requested role upgrade, then approve the pending request.",
  },
  "scope-upgrade": {
    requirement: "device is asking for more scopes than currently approved",
    remediationHint: "Review the requested scopes, then approve the pending upgrade.",
  },
  "metadata-upgrade": {
    requirement: "device identity changed and must be re-approved",
    remediationHint: "Review the refreshed device details, then approve the pending request.",
  },
};

/** Inputs of {@link pairingRequiredRejection}. */
export interface PairingRequiredInput {
  readonly reason: PairingReason;
  readonly requestId: string;
  readonly deviceId: string;
  readonly requestedRole: string;
  readonly requestedScopes: readonly string[];
  /** Roles already approved for this key (only when the device is known). */
  readonly approvedRoles?: readonly string[] | undefined;
  /** Scopes already approved for this key (only when the device is known). */
  readonly approvedScopes?: readonly string[] | undefined;
}

/**
 * OpenClaw's `PAIRING_REQUIRED` refusal: `NOT_PAIRED "pairing required: <requirement>"`
 * with details `{code, reason, requestId, remediationHint, deviceId, requestedRole,
 * requestedScopes?, approvedRoles?, approvedScopes?}` (empty lists omitted), close 1008
 * `pairing required: <requirement> (requestId: <id>)` truncated to 123 bytes.
 */
export function pairingRequiredRejection(input: PairingRequiredInput): ConnectRejection {
  const { requirement, remediationHint } = REQUIREMENT[input.reason];
  const message = `pairing required: ${requirement}`;
  const details: Record<string, unknown> = {
    code: ConnectErrorDetailCodes.PAIRING_REQUIRED,
    reason: input.reason,
    requestId: input.requestId,
    remediationHint,
    deviceId: input.deviceId,
    requestedRole: input.requestedRole,
  };
  if (input.requestedScopes.length > 0) details["requestedScopes"] = [...input.requestedScopes];
  if (input.approvedRoles !== undefined && input.approvedRoles.length > 0) details["approvedRoles"] = [...input.approvedRoles];
  if (input.approvedScopes !== undefined && input.approvedScopes.length > 0) {
    details["approvedScopes"] = [...input.approvedScopes];
  }
  return connectRejection(ErrorCodes.NOT_PAIRED, message, details, {
    closeReason: truncateCloseReason(`${message} (requestId: ${input.requestId})`),
  });
}
