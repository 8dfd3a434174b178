import { env, SELF } from 'cloudflare:test';
import { expect, it } from 'vitest';

it('answers /health', async () => {
  const res = await SELF.fetch('https://edge.test/health');
  expect(res.status).toBe(200);
  expect(env.ADMIN_TOKEN).toBeTruthy();
});
