// The official Anthropic Node SDK, used as its README shows, against
// Tollgate. Like any user, it changes only the base URL and the key, from
// the environment (ANTHROPIC_BASE_URL=http://HOST:PORT, ANTHROPIC_API_KEY=tg-…).
//
//   node anthropic.mjs create|stream MODEL [PROMPT]
//
// Prints one JSON line with what the client got; exits 1 on any error.
import Anthropic from '@anthropic-ai/sdk';

const [mode, model, prompt = 'Say hello to the gateway.'] = process.argv.slice(2);

async function main() {
  const client = new Anthropic({ timeout: 30_000 });
  const params = {
    model,
    max_tokens: 64,
    system: 'You are terse.',
    messages: [{ role: 'user', content: prompt }],
  };
  const out = { sdk: 'anthropic', mode, asked: model };
  let message;
  if (mode === 'create') {
    const { data, response } = await client.messages.create(params).withResponse();
    message = data;
    out.provider = response.headers.get('x-tollgate-provider');
    out.cache = response.headers.get('x-tollgate-cache');
  } else if (mode === 'stream') {
    const stream = client.messages.stream(params);
    out.textEvents = 0;
    out.streamedText = '';
    stream.on('text', (delta) => {
      out.textEvents += 1;
      out.streamedText += delta;
    });
    const { response } = await stream.withResponse();
    out.provider = response.headers.get('x-tollgate-provider');
    out.cache = response.headers.get('x-tollgate-cache');
    message = await stream.finalMessage();
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  out.id = message.id;
  out.type = message.type;
  out.model = message.model;
  out.text = message.content.filter((b) => b.type === 'text').map((b) => b.text).join('');
  out.stop = message.stop_reason;
  out.usage = message.usage;
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.log(JSON.stringify({ error: String(e?.message ?? e), status: e?.status ?? null }));
  process.exit(1);
});
