// Development-only settings shared by `npm run dev`, `npm run phone` and `npm run bench`. None of
// these values is a secret: they work only against local processes and must never be deployed.

/** Ports can be moved with EDGE_PORT and SIM_PORT when 8787 or 8788 is taken. */
export const EDGE_PORT = Number(process.env.EDGE_PORT || 8787);
export const EDGE_URL = `http://127.0.0.1:${EDGE_PORT}`;
export const SIM_PORT = Number(process.env.SIM_PORT || 8788);
export const SIM_URL = `http://127.0.0.1:${SIM_PORT}`;

/** The admin token `npm run dev` gives the bundle. Use it as `Authorization: Bearer ...`. */
export const DEV_ADMIN_TOKEN = 'dev-admin-token-not-a-secret';
/** The API key the bundle presents to the simulator (which accepts any key unless SIM_API_KEY is set). */
export const DEV_TELNYX_API_KEY = 'KEY_dev_not_a_secret';

/**
 * Signs the events the bundle forwards to a business's URL (Standard Webhooks: "whsec_" + base64 of
 * the key bytes). A development value: the key is the 42 ASCII bytes "telnyx-edge dev forwarding key,
 * not secret". `npm run phone -- listen` verifies forwarded events with it.
 */
export const DEV_FORWARD_SIGNING_SECRET = 'whsec_dGVsbnl4LWVkZ2UgZGV2IGZvcndhcmRpbmcga2V5LCBub3Qgc2VjcmV0';

/**
 * What `npm run dev` changes in the simulator's settings. The edge answers STOP, START and HELP
 * itself, so the simulated account leaves opt-out handling to it, as a Telnyx profile should when
 * the edge is in front (README: Messaging). `npm run phone -- reset` puts these back after a reset.
 */
export const DEV_SIM_SETTINGS = { stop_blocks: false };

/** The bundle's secrets in development; TELNYX_PUBLIC_KEY is read from the running simulator. */
export function devSecrets(simulatorPublicKey, simUrl = SIM_URL) {
  return {
    TELNYX_API_KEY: DEV_TELNYX_API_KEY,
    TELNYX_PUBLIC_KEY: simulatorPublicKey,
    ADMIN_TOKEN: DEV_ADMIN_TOKEN,
    FORWARD_SIGNING_SECRET: DEV_FORWARD_SIGNING_SECRET,
    TELNYX_API_BASE: `${simUrl}/v2`,
  };
}
