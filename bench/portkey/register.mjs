// Loaded with `node --import ./register.mjs node_modules/@portkey-ai/gateway/build/start-server.js`.
// Portkey's start script calls @hono/node-server's serve({fetch, port}) with
// no hostname (so it listens on every address) and with the default
// overrideGlobalObjects (which breaks its streaming on current Node). It has
// no option for either, so this hook hands the script a serve() that binds
// 127.0.0.1 and turns the override off; Portkey's files stay untouched.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
