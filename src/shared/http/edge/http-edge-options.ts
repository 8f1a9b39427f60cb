/** The standalone server's cross-origin and DNS-rebinding defences; a host app embedding the module opts in with `ModelMoraModule.forRoot({ httpEdge })`. */
export interface HttpEdgeOptions {
  /** Origins (scheme://host[:port]) whose pages may write and read cross-origin, with CORS; `*` allows any. */
  allowedOrigins: string[];
  /** Host names accepted besides loopback names while the server listens on loopback; `*` turns the check off. */
  allowedHosts: string[];
  /** nosniff, frame denial, no referrer, no X-Powered-By: for a server that owns its app (a host keeps its own). */
  securityHeaders: boolean;
}

export const DEFAULT_HTTP_EDGE: HttpEdgeOptions = { allowedOrigins: [], allowedHosts: [], securityHeaders: true };

/** A comma-separated list, as MODELMORA_ALLOWED_ORIGINS / MODELMORA_ALLOWED_HOSTS are written. */
export function listFromEnv(raw: string | undefined): string[] {
  return (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}
