// The official openai client against chat-service: chat (plain and streamed), a completion, errors, API keys.
// Env: BASE_URL, CHAT_MODEL (answers "hi" with EXPECTED), BASE_MODEL, EXPECTED; MODE=keys with API_KEY to test keys.
import OpenAI from 'openai';
import { baseUrl, check, run } from './lib/browser.mjs';

const CHAT_MODEL = process.env.CHAT_MODEL;
const BASE_MODEL = process.env.BASE_MODEL;
const EXPECTED = process.env.EXPECTED;

function client(apiKey) {
  return new OpenAI({ baseURL: baseUrl() + '/v1', apiKey: apiKey || 'not-needed', maxRetries: 0, timeout: 30000 });
}

async function openServer() {
  const openai = client();

  const models = await openai.models.list();
  const ids = models.data.map((m) => m.id);
  check(ids.includes(CHAT_MODEL) && ids.includes('pretrain'), 'models listed: ' + ids.join(', '));

  const answer = await openai.chat.completions.create({
    model: CHAT_MODEL, messages: [{ role: 'user', content: 'hi' }], temperature: 0,
  });
  check(answer.object === 'chat.completion', 'object ' + answer.object);
  check(answer.choices[0].message.content === EXPECTED, 'answer ' + JSON.stringify(answer.choices[0].message.content));
  check(answer.choices[0].finish_reason === 'stop', 'finish ' + answer.choices[0].finish_reason);
  check(answer.usage.total_tokens === answer.usage.prompt_tokens + answer.usage.completion_tokens, 'usage adds up');

  const stream = await openai.chat.completions.create({
    model: CHAT_MODEL, messages: [{ role: 'user', content: 'hi' }], temperature: 0, stream: true,
    stream_options: { include_usage: true }, logprobs: true, top_logprobs: 2,
  });
  let text = '', chunks = 0, finish = null, usage = null, tokens = 0;
  for await (const chunk of stream) {
    chunks++;
    check(chunk.object === 'chat.completion.chunk', 'chunk object ' + chunk.object);
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    text += choice.delta.content || '';
    if (choice.logprobs && choice.logprobs.content) tokens += choice.logprobs.content.length;
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  check(text === EXPECTED, 'streamed ' + JSON.stringify(text));
  check(chunks > 5, 'streamed in ' + chunks + ' chunks');
  check(finish === 'stop', 'stream finish ' + finish);
  check(usage && usage.completion_tokens === tokens + 1, 'stream usage ' + JSON.stringify(usage) + ' for ' + tokens + ' tokens');

  const completion = await openai.completions.create({
    model: BASE_MODEL, prompt: 'The cat', max_tokens: 8, temperature: 0.7, seed: 3,
  });
  check(completion.object === 'text_completion', 'completion object');
  check(typeof completion.choices[0].text === 'string', 'completion text');
  check(['stop', 'length'].includes(completion.choices[0].finish_reason), 'completion finish');
  const again = await openai.completions.create({
    model: BASE_MODEL, prompt: 'The cat', max_tokens: 8, temperature: 0.7, seed: 3,
  });
  check(again.choices[0].text === completion.choices[0].text, 'same seed, same text');

  try {
    await openai.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] });
    check(false, 'unknown model must fail');
  } catch (e) {
    check(e instanceof OpenAI.NotFoundError, 'NotFoundError, got ' + e);
    check(e.code === 'model_not_found', 'code ' + e.code);
  }
  try {
    await openai.chat.completions.create({ model: CHAT_MODEL, messages: [{ role: 'user', content: 'x' }], temperature: 5 });
    check(false, 'temperature 5 must fail');
  } catch (e) {
    check(e instanceof OpenAI.BadRequestError, 'BadRequestError, got ' + e);
    check(e.param === 'temperature', 'param ' + e.param);
  }
  console.log('openai client: chat, stream, completion and errors ok');
}

async function withKeys() {
  try {
    await client('wrong-key').models.list();
    check(false, 'a wrong key must be refused');
  } catch (e) {
    check(e instanceof OpenAI.AuthenticationError, 'AuthenticationError, got ' + e);
    check(e.status === 401, 'status ' + e.status);
  }
  const models = await client(process.env.API_KEY).models.list();
  check(models.data.length > 0, 'listed with the right key');
  const answer = await client(process.env.API_KEY).chat.completions.create({
    model: CHAT_MODEL, messages: [{ role: 'user', content: 'hi' }], temperature: 0,
  });
  check(answer.choices[0].message.content === EXPECTED, 'answer with the key');
  console.log('openai client: API keys ok');
}

run(process.env.MODE === 'keys' ? withKeys : openServer);
