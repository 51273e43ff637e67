/**
 * `hello-ok.features.capabilities` of OpenClaw 2026.9.6 (gateway-protocol §2.3, observed in
 * every hello-ok of a default install). The mock advertises them so clients that branch on
 * a capability see the same gateway; it implements none of the features behind them.
 */
export const SERVER_CAPABILITIES_2026_9_6: readonly string[] = [
  "board-widget-put-canvas-doc",
  "chat-send-routing-contract",
  "gateway-restart-target-safe-v1",
  "model-catalog-snapshot",
  "node-worker-bundle-retention-v1",
  "node-worker-bundle-status-v1",
  "node-worker-captured-exec-policy",
  "node-worker-environment-session-v1",
  "node-worker-portal-stream-v1",
  "profile-binding-v1",
  "published-model-catalog",
  "progress-card-agent-scope-v1",
  "session-scoped-chat-metadata",
  "session-scoped-model-catalog",
  "session-unread-ack-contract",
  "session-goal-start-v1",
  "session-settings-contract",
  "session-settings-cas-v1",
  "openclaw-chat-wizard-cancel",
  "openclaw-setup-model-ref",
  "taskSuggestions.acceptModes",
];
