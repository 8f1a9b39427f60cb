import { servingConfigProblems } from '../../shared/domain/serving-config.js';
import {
  InvalidChecksumError, InvalidServingConfigError, InvalidModelIdError, InvalidTaskTypeError, InvalidVersionError,
} from './model-catalog.errors.js';

export const TASK_TYPES = [
  'txt2embed', 'txt2txt', 'txt2img', 'img2txt', 'img2img', 'img2embed', 'audio2txt', 'txt2audio',
  'classification', 'object_detection', 'question_answering', 'tensor',
] as const;
export type TaskType = (typeof TASK_TYPES)[number];

const SEGMENT = /^[A-Za-z0-9._-]+$/;
const CHECKSUM = /^sha256:[0-9a-f]{64}$/;

/** Hugging Face style `owner/name`; `.` and `..` are refused so ids are safe as folder names. */
export function assertModelId(modelId: string): void {
  const parts = modelId.split('/');
  const ok = modelId.length >= 1 && modelId.length <= 255 && parts.length === 2
    && parts.every((p) => SEGMENT.test(p) && p !== '.' && p !== '..');
  if (!ok) throw new InvalidModelIdError(modelId);
}

export function assertChecksum(checksum: string | null | undefined): void {
  if (checksum != null && !CHECKSUM.test(checksum)) throw new InvalidChecksumError(checksum);
}

export function assertTaskType(taskType: string): asserts taskType is TaskType {
  if (!(TASK_TYPES as readonly string[]).includes(taskType)) throw new InvalidTaskTypeError(taskType, TASK_TYPES);
}

export function assertVersion(version: string): void {
  if (!(version.length <= 64 && SEGMENT.test(version) && version !== '.' && version !== '..')) throw new InvalidVersionError(version);
}

/** The serving keys of `config` (pooling, normalize, matryoshka, …) are refused here, not at load time. */
export function assertServingConfig(config: Readonly<Record<string, unknown>> | null | undefined): void {
  const problems = servingConfigProblems(config ?? {});
  if (problems.length > 0) throw new InvalidServingConfigError(problems);
}
