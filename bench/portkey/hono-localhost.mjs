// @hono/node-server with serve() bound to 127.0.0.1 (or PORTKEY_HOST) and
// overrideGlobalObjects off; everything else is the real module.
import { serve as realServe } from '@hono/node-server';

export * from '@hono/node-server';

export function serve(options, listeningListener) {
  return realServe({ ...options, hostname: process.env.PORTKEY_HOST || '127.0.0.1', overrideGlobalObjects: false },
                   listeningListener);
}
