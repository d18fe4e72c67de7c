// ScratchLM web chat: plain JavaScript over the service's own OpenAI-compatible API.
// Model output and user text are untrusted: they only ever reach the page through textContent.
'use strict';

const $ = (id) => document.getElementById(id);
const state = { models: [], history: [], busy: false, selected: null };

// ---- small DOM helpers (text only, never HTML) ----
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function row(table, ...cells) {
  const tr = el('tr');
  for (const c of cells) {
    const td = el('td');
    if (c instanceof Node) td.appendChild(c); else td.textContent = c === undefined || c === null ? '—' : String(c);
    tr.appendChild(td);
  }
  table.appendChild(tr);
}
function status(text) { $('status').textContent = text || ''; }
function pct(p) { return (p * 100).toFixed(p >= 0.1 ? 1 : 2) + '%'; }
function visible(token) { return token.replace(/\n/g, '\u21b5').replace(/ /g, '\u2423'); }

// ---- API ----
function headers() {
  const h = { 'Content-Type': 'application/json' };
  const key = localStorage.getItem('scratchlm-api-key');
  if (key) h['Authorization'] = 'Bearer ' + key;
  return h;
}
async function api(path, body) {
  const res = await fetch(path, body === undefined ? { headers: headers() }
    : { method: 'POST', headers: headers(), body: JSON.stringify(body) });
  if (res.status === 401) $('key-label').hidden = false;
  return res;
}
async function errorText(res) {
  try { const j = await res.json(); return (j.error && j.error.message) || JSON.stringify(j); }
  catch (e) { return 'HTTP ' + res.status; }
}

// ---- models ----
async function loadModels() {
  const res = await api('/v1/models');
  if (!res.ok) { status(await errorText(res)); return; }
  const list = (await res.json()).data;
  state.models = list;
  fillModels($('model'), list, list.length ? null : 'no model loaded yet');
  fillModels($('compare'), list, 'none');
  if (!list.length) {
    status('waiting for a checkpoint…');
    setTimeout(loadModels, 3000);
    return;
  }
  status(list.length + ' models');
  modelChanged();
}
// Stage aliases first (they follow the newest checkpoint), then every loaded checkpoint; `none` heads the list.
function fillModels(select, list, none) {
  const previous = select.value;
  select.textContent = '';
  const option = (value, label) => { const o = el('option', null, label); o.value = value; select.appendChild(o); };
  if (none) option('', none);
  for (const m of list.filter((x) => x.alias_of)) option(m.id, m.id + ' (newest ' + m.stage + ': step ' + m.step + ')');
  for (const m of list.filter((x) => !x.alias_of)) option(m.id, m.id + ' (' + m.stage + ', step ' + m.step + ')');
  if (previous && list.some((m) => m.id === previous)) select.value = previous;
}
function modelInfo(id) { return state.models.find((m) => m.id === id); }
function currentModel() { return modelInfo($('model').value); }
function isBase(m) { return m.stage === 'pretrain' || !m.chat; }
// The endpoint a model answers on: the mode's, except that a model without the chat format can only continue text
// (chat mode is disabled for it), also when it is the compared model.
function endpointOf(id) {
  const m = modelInfo(id);
  return $('mode').value === 'chat' && m && m.chat ? 'chat' : 'completion';
}

function modelChanged() {
  const m = currentModel();
  if (!m) return;
  // A pre-trained (base) model was never taught the chat format: completing text is what it does.
  $('mode').value = isBase(m) ? 'completion' : 'chat';
  $('mode').querySelector('option[value=chat]').disabled = !m.chat;
  modeChanged();
}
function modeChanged() {
  const m = currentModel();
  const completion = $('mode').value === 'completion';
  $('chat-settings').hidden = completion;
  $('input').placeholder = completion ? 'Start a text for the model to continue' : 'Write a message';
  $('send').textContent = completion ? 'Complete' : 'Send';
  let note = '';
  if (m && isBase(m)) {
    note = 'This is a base model: it was only pre-trained to continue text and was never taught the chat format'
      + ' (system, user and assistant turns). Write the beginning of a text and it writes what plausibly comes next.';
    if (!completion) note += ' In chat mode it sees the chat markers it never learned, so expect nonsense.';
  } else if (completion) {
    note = 'Completion mode: the model continues your text as a document, without the chat format.';
  }
  const other = modelInfo($('compare').value);
  if (other && !completion) {
    if (!other.chat) note += ' ' + other.id + ' has no chat format: it continues your message as a text.';
    else if (isBase(other)) note += ' ' + other.id + ' is a base model: in chat mode expect nonsense from it.';
  }
  $('mode-note').textContent = note.trim();
}

// ---- few-shot examples ----
function addExample(user, assistant) {
  const node = $('example-template').content.firstElementChild.cloneNode(true);
  node.querySelector('.ex-user').value = user || '';
  node.querySelector('.ex-assistant').value = assistant || '';
  node.querySelector('.ex-remove').addEventListener('click', () => node.remove());
  $('examples').appendChild(node);
}
function examples() {
  const out = [];
  for (const ex of $('examples').querySelectorAll('.example')) {
    const u = ex.querySelector('.ex-user').value, a = ex.querySelector('.ex-assistant').value;
    if (u.trim() || a.trim()) out.push({ role: 'user', content: u }, { role: 'assistant', content: a });
  }
  return out;
}

// ---- sampling controls ----
function sampling() {
  const p = {};
  const num = (id) => { const v = $(id).value.trim(); return v === '' ? null : Number(v); };
  const t = num('temperature'); if (t !== null) p.temperature = t;
  const tp = num('top-p'); if (tp !== null) p.top_p = tp;
  const tk = num('top-k'); if (tk !== null) p.top_k = tk;
  const mt = num('max-tokens'); if (mt !== null) p.max_tokens = mt;
  const s = num('seed'); if (s !== null) p.seed = s;
  return p;
}

// ---- streaming ----
// Reads server-sent events and calls onChunk for each JSON payload until [DONE].
async function stream(res, onChunk) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const event = buf.slice(0, i);
      buf = buf.slice(i + 2);
      for (const line of event.split('\n')) {
        if (!line.startsWith('data:')) continue;
        const data = line.slice(5).trim();
        if (data === '[DONE]') return;
        onChunk(JSON.parse(data));
      }
    }
  }
}

// One piece of generated text as a clickable span carrying its tokens' probabilities.
function tokenSpan(text, entries) {
  const span = el('span', 'tok', text);
  if (entries && entries.length) {
    span.tokens = entries;
    const p = Math.exp(entries[entries.length - 1].logprob);
    span.classList.add(p >= 0.5 ? 'p-high' : p >= 0.15 ? 'p-mid' : 'p-low');
    span.title = entries.map((e) => visible(e.token) + ' ' + pct(Math.exp(e.logprob))).join(', ');
    span.addEventListener('click', () => showTokens(span));
  }
  return span;
}

function showTokens(span) {
  for (const s of document.querySelectorAll('.tok.selected')) s.classList.remove('selected');
  span.classList.add('selected');
  const detail = $('token-detail');
  detail.textContent = '';
  for (const t of span.tokens) {
    const head = el('p');
    head.appendChild(el('span', null, 'Chosen: '));
    head.appendChild(el('code', 'tokentext', visible(t.token)));
    head.appendChild(el('span', 'prob', ' probability ' + pct(Math.exp(t.logprob))));
    detail.appendChild(head);
    const table = el('table', 'alternatives');
    for (const a of t.top_logprobs || []) {
      const p = Math.exp(a.logprob);
      const bar = el('div', 'bar');
      bar.style.width = Math.max(1, Math.round(p * 100)) + 'px';
      const tok = el('code', 'tokentext', visible(a.token));
      if (a.token === t.token) tok.classList.add('chosen');
      row(table, tok, pct(p), bar);
    }
    detail.appendChild(table);
  }
  $('token-panel').hidden = false;
}

function metaLine(box, usage, finish, seed) {
  const meta = el('div', 'meta');
  if (usage) meta.appendChild(el('span', null, usage.prompt_tokens + ' prompt tokens, ' + usage.completion_tokens + ' generated'));
  if (finish) meta.appendChild(el('span', null, 'finish: ' + finish));
  if (seed !== undefined) meta.appendChild(el('span', null, 'seed ' + seed));
  box.appendChild(meta);
  return meta;
}

async function send(e) {
  e.preventDefault();
  if (state.busy) return;
  const model = $('model').value;
  const text = $('input').value;
  if (!model) { status('no model to ask yet'); return; }
  const chat = $('mode').value === 'chat';
  if (chat && !text.trim()) return;
  const models = $('compare').value ? [model, $('compare').value] : [model];
  state.busy = true;
  $('send').disabled = true;
  try {
    await turn(models, text, chat);
  } catch (err) {
    $('messages').appendChild(el('div', 'msg error', String(err)));
  } finally {
    state.busy = false;
    $('send').disabled = false;
  }
}

// One send: the same request (conversation or prompt, sampling settings, seed) to every chosen model at once. With a
// second model the two answers stream side by side, each labelled with its model; the conversation then goes on
// with the first model's answer.
async function turn(models, text, chat) {
  const params = sampling();
  // Compared answers should differ by their model only, so they share one seed (drawn here when none is set).
  if (models.length > 1 && params.seed === undefined) params.seed = Math.floor(Math.random() * 2 ** 31);
  let messages = null;
  if (chat) {
    $('input').value = '';
    const user = el('div', 'msg user');
    user.appendChild(el('span', 'role', 'user'));
    user.appendChild(el('span', 'content', text));
    $('messages').appendChild(user);
    messages = [];
    if ($('system').value.trim()) messages.push({ role: 'system', content: $('system').value });
    messages.push(...examples(), ...state.history, { role: 'user', content: text });
  }
  const parent = models.length > 1 ? $('messages').appendChild(el('div', 'compare')) : $('messages');
  const bestOf = Number($('best-of').value) || 1;
  const answers = await Promise.all(models.map((model) => {
    if (endpointOf(model) === 'chat' && bestOf > 1) {
      return bestOfAnswer(parent, Object.assign({ model, messages, best_of: bestOf }, params), models.length > 1 ? model : null);
    }
    const body = endpointOf(model) === 'chat'
      ? { model, messages, stream: true, logprobs: true, top_logprobs: 5, store: true }
      : { model, prompt: text, stream: true, logprobs: 5 };
    body.stream_options = { include_usage: true };
    return answer(parent, Object.assign(body, params), models.length > 1 ? model : null);
  }));
  if (chat && answers[0] !== null) state.history.push({ role: 'user', content: text }, { role: 'assistant', content: answers[0] });
}

// Streams one answer into a new box in `parent`: token spans with their probabilities, a meta line and, for a chat
// answer, thumbs up/down. Resolves to the answer's text, or null when it failed (the box then says why).
async function answer(parent, body, label) {
  const chat = body.messages !== undefined;
  const box = el('div', chat ? 'msg assistant' : 'msg completion');
  box.dataset.model = body.model;
  box.appendChild(el('span', 'role', label || (chat ? 'assistant' : 'completion')));
  if (!chat) box.appendChild(el('span', 'prompt-text', body.prompt));
  const content = el('span', 'content');
  box.appendChild(content);
  parent.appendChild(box);
  try {
    const res = await api(chat ? '/v1/chat/completions' : '/v1/completions', body);
    if (!res.ok) { box.className = 'msg error'; content.textContent = await errorText(res); return null; }
    let id = null, finish = null, usage = null, text = '';
    await stream(res, (c) => {
      if (c.error) throw new Error(c.error.message);
      id = c.id;
      if (c.usage) usage = c.usage;
      const choice = c.choices && c.choices[0];
      if (!choice) return;
      const piece = chat ? choice.delta && choice.delta.content : choice.text;
      if (piece) {
        text += piece;
        content.appendChild(tokenSpan(piece, chat ? choice.logprobs && choice.logprobs.content : chatShape(choice.logprobs)));
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    });
    const meta = metaLine(box, usage, finish, label ? body.seed : undefined);
    box.dataset.done = 'true';
    if (chat) {
      box.dataset.answerId = id;
      for (const [caption, up] of [['\u25B2 Good', true], ['\u25BC Bad', false]]) {
        const b = el('button', up ? 'thumbs-up' : 'thumbs-down', caption);
        b.type = 'button';
        b.title = up ? 'Good answer' : 'Bad answer';
        b.addEventListener('click', () => feedback(id, up, meta));
        meta.appendChild(b);
      }
    }
    return text;
  } catch (err) {
    box.className = 'msg error';
    box.appendChild(el('div', null, String(err)));
    return null;
  }
}

// best_of: one request that returns the answer the reward model scores highest; the box lists every sampled answer
// with its score, best first (texts as text, like every answer). Resolves to the chosen text, or null on failure.
async function bestOfAnswer(parent, body, label) {
  const box = el('div', 'msg assistant');
  box.dataset.model = body.model;
  box.appendChild(el('span', 'role', label || 'assistant'));
  const content = el('span', 'content');
  box.appendChild(content);
  parent.appendChild(box);
  const res = await api('/v1/chat/completions', body);
  if (!res.ok) { box.className = 'msg error'; content.textContent = await errorText(res); return null; }
  const reply = await res.json();
  const text = reply.choices[0].message.content;
  content.textContent = text;
  const meta = metaLine(box, reply.usage, reply.choices[0].finish_reason, label ? body.seed : undefined);
  const details = el('details', 'best-of');
  details.appendChild(el('summary', null, 'best of ' + reply.best_of.n + ', ranked by reward model ' + reply.best_of.reward_model));
  const list = el('ol');
  for (const c of reply.best_of.candidates) {
    const item = el('li');
    item.dataset.score = String(c.score);
    item.appendChild(el('span', 'score', 'score ' + c.score.toFixed(3) + ' (seed ' + c.seed + ')'));
    item.appendChild(el('span', 'candidate', c.content));
    list.appendChild(item);
  }
  details.appendChild(list);
  box.insertBefore(details, meta);
  box.dataset.done = 'true';
  return text;
}

// The legacy completions shape has parallel arrays; the token view reads the chat shape.
function chatShape(lp) {
  return lp ? lp.tokens.map((t, i) => ({
    token: t, logprob: lp.token_logprobs[i],
    top_logprobs: Object.entries(lp.top_logprobs[i] || {}).map(([token, logprob]) => ({ token, logprob })),
  })) : null;
}

async function feedback(answerId, thumbsUp, meta) {
  for (const b of meta.querySelectorAll('button')) b.disabled = true;
  const res = await api('/api/feedback', { answerId, thumbsUp });
  const note = el('span', 'feedback-status', res.ok ? 'Thanks, feedback recorded.' : await errorText(res));
  meta.appendChild(note);
  if (!res.ok) for (const b of meta.querySelectorAll('button')) b.disabled = false;
}

// ---- model card ----
async function showCard() {
  const model = $('model').value;
  if (!model) return;
  const res = await api('/api/models/' + encodeURIComponent(model) + '/card');
  const card = $('card');
  card.textContent = '';
  if (!res.ok) { card.appendChild(el('p', 'error', await errorText(res))); $('card-dialog').showModal(); return; }
  const c = await res.json();
  const section = (title) => { card.appendChild(el('h3', null, title)); const t = el('table'); card.appendChild(t); return t; };
  let t = section('Model');
  row(t, 'checkpoint', c.id); row(t, 'stage', c.stage); row(t, 'step', c.step);
  row(t, 'created', c.createdAt); row(t, 'kind', c.mode);
  t = section('Architecture');
  const a = c.architecture;
  row(t, 'type', a.type); row(t, 'layers', a.layers); row(t, 'heads', a.heads); row(t, 'width', a.width);
  row(t, 'context (tokens)', a.context); row(t, 'vocabulary', a.vocab);
  t = section('Parameters (weights and biases)');
  t.id = 'card-parameters';
  for (const l of c.parameters.perLayer) row(t, l.name, l.count.toLocaleString('en-US'));
  const total = el('tr', 'total');
  total.appendChild(el('th', null, 'total'));
  total.appendChild(el('th', 'param-total', c.parameters.total.toLocaleString('en-US')));
  t.appendChild(total);
  t = section('Tokenizer');
  row(t, 'id', c.tokenizer.id); row(t, 'vocabulary', c.tokenizer.vocabSize); row(t, 'split pattern', c.tokenizer.pattern);
  row(t, 'numbers', c.tokenizer.numberPolicy + ': ' + c.tokenizer.numberPolicyMeaning);
  t = section('Training data');
  t.id = 'card-data';
  row(t, 'knowledge cutoff', c.data.knowledgeCutoff); row(t, 'documents', c.data.documents);
  row(t, 'tokens', c.data.tokens); row(t, 'shards', c.data.shards);
  t = section('Metrics');
  for (const [k, v] of Object.entries(c.metrics || {})) row(t, k, typeof v === 'number' ? v.toFixed(4) : v);
  t = section('Lineage');
  row(t, 'tokenizer', c.lineage.tokenizerId);
  if (!c.lineage.parents.length) row(t, 'parent', 'none (trained from scratch)');
  for (const p of c.lineage.parents) row(t, 'parent', p.id + (p.stage ? ' (' + p.stage + ', step ' + p.step + ')' : ' (not seen by this service)'));
  for (const [k, v] of Object.entries(c.lineage.details || {})) {
    if (k === 'knowledgeCutoff' || k === 'documents' || k === 'tokens') continue;
    row(t, k, typeof v === 'object' ? JSON.stringify(v) : v);
  }
  $('card-dialog').showModal();
}

// ---- wiring ----
$('model').addEventListener('change', modelChanged);
$('mode').addEventListener('change', modeChanged);
$('compare').addEventListener('change', modeChanged);
$('composer').addEventListener('submit', send);
$('input').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); $('composer').requestSubmit(); }
});
$('clear').addEventListener('click', () => { state.history = []; $('messages').textContent = ''; });
$('add-example').addEventListener('click', () => addExample());
$('card-button').addEventListener('click', showCard);
$('token-close').addEventListener('click', () => { $('token-panel').hidden = true; });
$('api-key').addEventListener('change', () => { localStorage.setItem('scratchlm-api-key', $('api-key').value); loadModels(); });
loadModels();
