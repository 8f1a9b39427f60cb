import { ValidationPipe, type ValidationError as ClassValidatorError } from '@nestjs/common';
import { ValidationError } from '../../domain/domain-error.js';

function describe(errors: ClassValidatorError[], parent = ''): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of errors) {
    const path = parent ? `${parent}.${e.property}` : e.property;
    if (e.constraints) out[path] = Object.values(e.constraints);
    Object.assign(out, describe(e.children ?? [], path));
  }
  return out;
}

/** class-validator on every DTO; failures become VALIDATION_ERROR with the offending fields. */
export const modelMoraValidationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) => {
    const fields = describe(errors);
    const first = Object.entries(fields)[0];
    return new ValidationError(first ? `${first[0]}: ${first[1].join(', ')}` : 'invalid request', { fields });
  },
});
