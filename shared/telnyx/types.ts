// Telnyx's request and response types, taken from the official SDK with `import type` only:
// they cost nothing at run time (importing the SDK itself would add about 850 KiB raw, 148 KiB
// gzipped), and they follow Telnyx's spec as the SDK is updated.

import type {
  ActionAnswerParams,
  ActionBridgeParams,
  ActionGatherParams,
  ActionGatherUsingAudioParams,
  ActionGatherUsingSpeakParams,
  ActionHangupParams,
  ActionRejectParams,
  ActionSendDtmfParams,
  ActionSpeakParams,
  ActionStartPlaybackParams,
  ActionStartRecordingParams,
  ActionStopPlaybackParams,
  ActionStopRecordingParams,
  ActionTransferParams,
} from 'telnyx/resources/calls/actions';

export type {
  MessageSendParams,
  MessageSendResponse,
  MessageSendNumberPoolParams,
  MessageSendNumberPoolResponse,
  MessageRetrieveResponse,
  OutboundMessagePayload,
  MessagingInboundMessagePayload,
  NumberLookupRetrieveResponse,
  CallDialParams,
  CallDialResponse,
  MessagingProfile,
  NumberPoolSettings,
} from 'telnyx/resources';

/** The `type` values of GET /v2/number_lookup/{phone_number}. */
export type NumberLookupType = 'carrier' | 'caller-name';

/** The Call Control actions the edge issues, each with the body it takes. */
export interface CallActionParams {
  answer: ActionAnswerParams;
  bridge: ActionBridgeParams;
  gather: ActionGatherParams;
  gather_using_audio: ActionGatherUsingAudioParams;
  gather_using_speak: ActionGatherUsingSpeakParams;
  hangup: ActionHangupParams;
  playback_start: ActionStartPlaybackParams;
  playback_stop: ActionStopPlaybackParams;
  record_start: ActionStartRecordingParams;
  record_stop: ActionStopRecordingParams;
  reject: ActionRejectParams;
  send_dtmf: ActionSendDtmfParams;
  speak: ActionSpeakParams;
  transfer: ActionTransferParams;
}
export type CallAction = keyof CallActionParams;

/** Every Call Control action answers `{ data: { result: "ok" } }`. */
export interface CallActionResponse {
  data?: { result?: string };
}
