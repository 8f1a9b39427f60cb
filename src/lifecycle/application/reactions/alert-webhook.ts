import type { Logger } from '@nestjs/common';

/** Posts `{text, event}` to MODELMORA_ALERT_WEBHOOK (Slack-style); a failure is logged, never thrown. */
export async function postAlert(webhook: string | undefined, body: { text: string; event: unknown }, logger: Logger): Promise<void> {
  if (!webhook) return;
  try {
    const res = await fetch(webhook, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    });
    if (!res.ok) logger.error(`alert webhook answered ${res.status}`);
  } catch (err) {
    logger.error(`alert webhook failed: ${err}`);
  }
}
