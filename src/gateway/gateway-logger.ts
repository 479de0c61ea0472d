/**
 * The logging the gateway needs: structured fields plus a message. `pino` loggers satisfy it as they are;
 * tests pass a recording one. Secrets (API keys) are never put in the fields.
 */
export interface GatewayLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** A logger that drops everything (the default of `createGateway`). */
export const silentLogger: GatewayLogger = Object.freeze({
  info() {},
  warn() {},
  error() {},
});
