// Development-only settings shared by `npm run dev` and `npm run bench`. None of these values is
// a secret: they work only against local processes and must never be used in a deployment.

export const EDGE_PORT = 8787;
export const EDGE_URL = `http://127.0.0.1:${EDGE_PORT}`;

/** The admin token `npm run dev` gives the bundle. Use it as `Authorization: Bearer ...`. */
export const DEV_ADMIN_TOKEN = 'dev-admin-token-not-a-secret';

/**
 * The development Telnyx key pair's public half (base64 of 32 bytes). Webhooks signed with its
 * private half verify against the bundle that `npm run dev` starts.
 */
export const DEV_TELNYX_PUBLIC_KEY = 'IAjVw32pREpR7jmFlb12EGBA2Q+Cpu3NH8YP7ffGiHE=';

export const DEV_SECRETS = {
  TELNYX_API_KEY: 'KEY_dev_not_a_secret',
  TELNYX_PUBLIC_KEY: DEV_TELNYX_PUBLIC_KEY,
  ADMIN_TOKEN: DEV_ADMIN_TOKEN,
  FORWARD_SIGNING_SECRET: 'whsec_dev_not_a_secret',
};
