// The actions on the call itself: answer, reject, hangup, transfer, bridge.

import { findResource } from '../connections/store';
import { bool, invalidField, oneOf, str } from '../api/fields';
import { applicationUrls, createOutgoingLeg, legOptions } from './dial';
import { answerLeg, bridgeLegs, endLeg, ourSide } from './legs';
import { startRecording } from './media';
import { callEnded, wrongState, type Action } from './command';
import { AMD, COMMON, HEADERS, RECORD_ON_ANSWER, TIMING, WEBHOOK, base64, oneMediaSource, party } from './params';
import { MEDIA } from './media-actions';
import { loadLeg } from './state';

export const CALL_ACTIONS: Record<string, Action> = {
  answer: {
    fields: {
      ...COMMON,
      ...WEBHOOK,
      ...HEADERS,
      ...RECORD_ON_ANSWER,
      billing_group_id: str(),
      preferred_codecs: str(),
      send_silence_when_idle: bool({ default: false }),
    },
    needs: 'parked',
    run(ctx, leg, f, at) {
      if (f.webhook_url !== undefined) {
        const application = findResource(ctx, leg.connection_id, ['call_control_application']);
        leg.urls = applicationUrls(application ?? { webhook_event_failover_url: leg.urls[1] }, f.webhook_url);
      }
      leg.custom_headers = f.custom_headers as unknown[];
      leg.sip_headers = f.sip_headers as unknown[];
      let recordingId: string | undefined;
      if (f.record === 'record-from-answer') {
        recordingId = crypto.randomUUID();
        leg.record_from_answer = {
          id: recordingId,
          format: f.record_format as 'mp3' | 'wav',
          channels: f.record_channels as 'single' | 'dual',
        };
      }
      answerLeg(ctx, leg, at);
      return recordingId === undefined ? {} : { recording_id: recordingId };
    },
  },
  hangup: {
    fields: COMMON,
    needs: 'alive',
    run(ctx, leg, _f, at) {
      if (leg.status === 'ringing') endLeg(ctx, leg, at, 'originator_cancel', 'caller');
      else endLeg(ctx, leg, at, 'normal_clearing', ourSide(leg));
    },
  },
  reject: {
    fields: { ...COMMON, cause: oneOf(['CALL_REJECTED', 'USER_BUSY']) },
    required: ['cause'],
    needs: 'parked',
    run(ctx, leg, f, at) {
      endLeg(ctx, leg, at, f.cause === 'USER_BUSY' ? 'user_busy' : 'call_rejected', 'callee');
    },
  },
  transfer: {
    fields: {
      ...COMMON,
      ...WEBHOOK,
      ...HEADERS,
      ...TIMING,
      ...MEDIA,
      to: party,
      from: party,
      from_display_name: str({ max: 128 }),
      target_leg_client_state: base64,
      early_media: bool({ default: true }),
      mute_dtmf: oneOf(['none', 'both', 'self', 'opposite'], { default: 'none' }),
      park_after_unbridge: str(),
      answering_machine_detection: AMD,
      sip_auth_username: str(),
      sip_auth_password: str(),
    },
    required: ['to'],
    needs: 'transferable',
    check(_ctx, body) {
      oneMediaSource(body, ['audio_url', 'media_name'], false);
    },
    run(ctx, leg, f, at, origin) {
      const application = findResource(ctx, leg.connection_id, ['call_control_application']);
      const target = createOutgoingLeg(
        ctx,
        {
          ...legOptions(f),
          call_session_id: leg.call_session_id,
          connection_id: leg.connection_id,
          // The caller id the transfer's destination sees: the number the caller dialled, unless given.
          from: (f.from as string | undefined) ?? leg.to,
          client_state: (f.target_leg_client_state as string | undefined) ?? null,
          urls: application === undefined ? leg.urls : applicationUrls(application, f.webhook_url),
          record_from_answer: null,
          transfer_of: leg.call_control_id,
          bridge_on_answer: null,
          origin,
        },
        at,
      );
      leg.transfer_to = target.call_control_id;
      if (f.park_after_unbridge !== undefined) leg.park_after_unbridge = f.park_after_unbridge as string;
    },
  },
  bridge: {
    fields: {
      ...COMMON,
      ...RECORD_ON_ANSWER,
      call_control_id: str({ min: 1 }),
      mute_dtmf: oneOf(['none', 'both', 'self', 'opposite'], { default: 'none' }),
      park_after_unbridge: str(),
      play_ringtone: bool({ default: false }),
      ringtone: str(),
      queue: str(),
      video_room_id: str(),
      video_room_context: str(),
    },
    required: ['call_control_id'],
    needs: 'answered',
    check(ctx, _body, f, leg) {
      const other = loadLeg(ctx, f.call_control_id as string);
      if (other === undefined)
        throw invalidField('/call_control_id', `No call with call_control_id ${String(f.call_control_id)}.`);
      if (other.call_control_id === leg.call_control_id)
        throw invalidField('/call_control_id', 'A call cannot be bridged to itself.');
      if (other.status === 'ended') throw callEnded();
      if (other.status !== 'answered')
        throw wrongState('Call not answered', 'The call to bridge with must be answered.');
      if (leg.bridged_with !== null || other.bridged_with !== null) {
        throw wrongState('Call already bridged', 'One of the two calls is bridged already.');
      }
    },
    run(ctx, leg, f, at) {
      if (f.park_after_unbridge !== undefined) leg.park_after_unbridge = f.park_after_unbridge as string;
      if (f.record === 'record-from-answer' && leg.recording === null) {
        const format = f.record_format as 'mp3' | 'wav';
        startRecording(
          ctx,
          leg,
          { id: crypto.randomUUID(), format, channels: f.record_channels as 'single' | 'dual' },
          at,
        );
      }
      bridgeLegs(ctx, leg, loadLeg(ctx, f.call_control_id as string)!, at);
    },
  },
};
