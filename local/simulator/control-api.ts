import { ASAPP_ROUTES } from '#core/contract/routes.ts';

/**
 * The start/stop calls a CTI integration makes around a call, as the simulator's `--start` needs them:
 * plain HTTPS requests with the ASAPP-style credential headers.
 */

export interface ControlApiOptions {
  baseUrl: string;
  apiId: string;
  apiSecret: string;
}

export interface StartParameters {
  guid: string;
  customerId: string;
  agentId: string;
  language?: string;
  redactionOutput?: string;
  detailedToken?: boolean;
  /** Ask for the span to be recorded (the deployment may still forbid it). */
  audioRecordingAllowed?: boolean;
}

export interface ApiReply {
  status: number;
  body: unknown;
}

export function startStopApi(options: ControlApiOptions) {
  const post = async (path: string, body: unknown): Promise<ApiReply> => {
    const res = await fetch(new URL(path, options.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'asapp-api-id': options.apiId, 'asapp-api-secret': options.apiSecret },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // keep the raw text: it is what the server said
    }
    return { status: res.status, body: parsed };
  };
  return {
    start: (p: StartParameters) =>
      post(ASAPP_ROUTES.startStreaming, {
        namespace: 'genesysaudiohook',
        guid: p.guid,
        customerId: p.customerId,
        agentId: p.agentId,
        autotranscribeParams: {
          language: p.language ?? 'en-US',
          redactionOutput: p.redactionOutput ?? 'redacted',
          ...(p.detailedToken !== undefined ? { detailedToken: p.detailedToken } : {}),
          ...(p.audioRecordingAllowed !== undefined ? { audioRecordingAllowed: p.audioRecordingAllowed } : {}),
        },
      }),
    stop: (guid: string) => post(ASAPP_ROUTES.stopStreaming, { namespace: 'genesysaudiohook', guid }),
  };
}
