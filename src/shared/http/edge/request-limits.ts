import { registerDecorator, type ValidationOptions } from 'class-validator';

/**
 * Bounds on what a request may put into an event, so that no event can outgrow Kafka's
 * default 1 MB message (`message.max.bytes`) or the store: a model.registered carrying
 * every field at its maximum stays under 100 kB. Documented in the README.
 */
export const REQUEST_LIMITS = {
  /** `config`, serialised as JSON (UTF-8 bytes). Nesting is bounded for every value by WIRE_LIMITS.maxDepth. */
  configMaxBytes: 64 * 1024,
  displayNameMaxChars: 255,
  descriptionMaxChars: 4000,
  sourceUrlMaxChars: 2048,
  /** Longer than any valid `sha256:<64 hex>`, so a wrong one still gets INVALID_CHECKSUM. */
  checksumMaxChars: 128,
  /** Pages and positions: large enough for any real store, small enough for exact arithmetic. */
  maxPage: 1_000_000_000,
  maxPosition: Number.MAX_SAFE_INTEGER,
  /** Resource requirements: 16 TiB of memory, 1,024 threads; the manager's budget still applies. */
  maxMemoryMb: 16 * 1024 * 1024,
  maxCpuThreads: 1024,
} as const;

/** A JSON object (not an array) whose serialised size is at most `maxBytes`. */
export function IsBoundedJsonObject(maxBytes: number, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isBoundedJsonObject',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `$property must be a JSON object of at most ${maxBytes} bytes`, ...options },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' && value !== null && !Array.isArray(value) && Buffer.byteLength(JSON.stringify(value)) <= maxBytes,
      },
    });
}
