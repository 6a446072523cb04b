// The official OpenAI Node SDK, used as its README shows, against Tollgate.
// Like any user, it changes only the base URL and the key, from the
// environment (OPENAI_BASE_URL=http://HOST:PORT/v1, OPENAI_API_KEY=tg-…).
//
//   node openai.mjs whole|stream MODEL [PROMPT]
//
// Prints one JSON line with what the client got; exits 1 on any error.
import OpenAI from 'openai';

const [mode, model, prompt = 'Say hello to the gateway.'] = process.argv.slice(2);

async function main() {
  const client = new OpenAI({ timeout: 30_000 });
  const messages = [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: prompt },
  ];
  const out = { sdk: 'openai', mode, asked: model };
  if (mode === 'whole') {
    const { data, response } = await client.chat.completions
      .create({ model, messages, max_tokens: 64 })
      .withResponse();
    out.id = data.id;
    out.object = data.object;
    out.model = data.model;
    out.text = data.choices[0].message.content;
    out.finish = data.choices[0].finish_reason;
    out.usage = data.usage;
    out.provider = response.headers.get('x-tollgate-provider');
    out.cache = response.headers.get('x-tollgate-cache');
  } else if (mode === 'stream') {
    const { data: stream, response } = await client.chat.completions
      .create({ model, messages, max_tokens: 64, stream: true, stream_options: { include_usage: true } })
      .withResponse();
    out.provider = response.headers.get('x-tollgate-provider');
    out.cache = response.headers.get('x-tollgate-cache');
    out.text = '';
    out.chunks = 0;
    out.contentChunks = 0;
    for await (const chunk of stream) {
      out.chunks += 1;
      out.object = chunk.object;
      out.model = chunk.model;
      const choice = chunk.choices[0];
      if (choice) {
        if (choice.delta?.content) {
          out.text += choice.delta.content;
          out.contentChunks += 1;
        }
        if (choice.finish_reason) out.finish = choice.finish_reason;
      }
      if (chunk.usage) out.usage = chunk.usage;
    }
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.log(JSON.stringify({ error: String(e?.message ?? e), status: e?.status ?? null }));
  process.exit(1);
});
