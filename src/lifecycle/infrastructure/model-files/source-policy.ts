import { sourceRoots } from '../../../shared/config/source-roots.js';

/** What a model source may reach: the operator's allow-list and the limits of one fetch. */
export interface SourcePolicy {
  /** Absolute folders a `file://` source must resolve into (after symlinks). */
  roots: string[];
  /** Allow `http(s)://` sources on loopback, private, link-local and other non-public addresses. */
  allowPrivateAddresses: boolean;
  /** Bytes one version may bring into the cache (all its files together). */
  maxBytes: number;
  /** Deadline for fetching one version, whatever the server's pace. */
  timeoutMs: number;
}

const DEFAULT_MAX_SOURCE_BYTES = 4 * 1024 ** 3;
const DEFAULT_SOURCE_TIMEOUT_MS = 30 * 60_000;

/** Unset roots mean the working directory only: what the README walkthrough uses, nothing else. */
export function resolveSourcePolicy(input: Partial<SourcePolicy> = {}): SourcePolicy {
  return {
    roots: sourceRoots(input.roots),
    allowPrivateAddresses: input.allowPrivateAddresses ?? false,
    maxBytes: input.maxBytes ?? DEFAULT_MAX_SOURCE_BYTES,
    timeoutMs: input.timeoutMs ?? DEFAULT_SOURCE_TIMEOUT_MS,
  };
}

/** Counts bytes against one version's allowance, across all of its files. */
export class ByteBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  /** Adds bytes; false once the total is over the limit. */
  take(bytes: number): boolean {
    this.used += bytes;
    return this.used <= this.limit;
  }

  get total(): number {
    return this.used;
  }
}

/** The policy as the server's options state it (MODELMORA_SOURCE_ROOTS, ...). */
export function sourcePolicyFromOptions(o: {
  sourceRoots?: string[];
  allowPrivateSources: boolean;
  maxSourceMb: number;
  downloadTimeoutMs: number;
}): Partial<SourcePolicy> {
  return {
    ...(o.sourceRoots ? { roots: o.sourceRoots } : {}),
    allowPrivateAddresses: o.allowPrivateSources,
    maxBytes: o.maxSourceMb * 1024 * 1024,
    timeoutMs: o.downloadTimeoutMs,
  };
}
