export { CliError, credentialsError, InterruptedError, usageError } from "./cli-error.js";
export type { CliErrorOptions, ErrorType, InterruptSignal } from "./cli-error.js";
export { errorEnvelope, reportError } from "./error-report.js";
export type { ErrorBody, ErrorContext, ErrorReport, GatewayTarget } from "./error-report.js";
export { EXIT_CODE_HELP, ExitCodes, RELAY_POLICY_DENIED } from "./exit-codes.js";
export type { ExitCode } from "./exit-codes.js";
export { interruptedFailure, watchInterrupts } from "./interrupts.js";
export type { InterruptWatch } from "./interrupts.js";
export { OutputWriteError, reportOutputFailure, runBinProcess } from "./bin-process.js";
