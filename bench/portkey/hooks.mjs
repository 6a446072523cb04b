// Module resolution hook: @hono/node-server, when imported by Portkey's
// gateway, resolves to ./hono-localhost.mjs instead.
export async function resolve(specifier, context, nextResolve) {
  if (specifier === '@hono/node-server' && context.parentURL
      && context.parentURL.includes('/@portkey-ai/gateway/')) {
    return { url: new URL('./hono-localhost.mjs', import.meta.url).href, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
