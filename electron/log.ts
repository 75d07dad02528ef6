/**
 * pino logging with secrets redacted. Every process (app main, workers, CLI) creates its
 * logger here, so the redaction rules live in one place.
 */
import { pino, type Logger, type LoggerOptions, type DestinationStream } from 'pino';

// Paths pino removes from every log line, at the top level and one or two levels down.
const SECRET_KEYS = ['password', 'token', 'jwt', 'authorization', 'Authorization', 'p12Password', 'passphrase', 'secret', 'cookie'];
const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `headers.${key}`, `*.headers.${key}`]);

const BEARER = /Bearer\s+[A-Za-z0-9._~+/=-]+/g;
const JWT_LIKE = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\b/g;
const PASSWORD_FIELD = /(password=)[^&\s]*/gi;

/** Removes bearer tokens, JWTs and form-encoded passwords from free text (error messages, URLs). */
export function redactText(text: string): string {
  return text.replace(BEARER, 'Bearer [redacted]').replace(JWT_LIKE, '[redacted-jwt]').replace(PASSWORD_FIELD, '$1[redacted]');
}

export function createLogger(options: { name: string; level?: string; destination?: DestinationStream }): Logger {
  const config: LoggerOptions = {
    name: options.name,
    level: options.level ?? process.env.POSTURE_WORKBENCH_LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: {
      log(object) {
        // Error messages can quote a URL or header; scrub them as text too.
        const scrubbed: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(object)) {
          if (typeof value === 'string') scrubbed[key] = redactText(value);
          else if (value instanceof Error) scrubbed[key] = { type: value.name, message: redactText(value.message), code: (value as { code?: unknown }).code };
          else scrubbed[key] = value;
        }
        return scrubbed;
      },
    },
    serializers: { err: (error: Error) => ({ type: error.name, message: redactText(error.message), code: (error as { code?: unknown }).code }) },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** A logger that writes nothing: the CLI's default, so stderr carries only the one error line. */
export const silentLogger: Logger = pino({ level: 'silent' });
