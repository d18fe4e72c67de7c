// Tokenizer visualizer: plain DOM, no framework. Every text from the user or a tokenizer goes in with textContent.
'use strict';

const PRESETS = {
  numbers: '94569 + 32458 = 127027',
  europarl: 'Madam President, on a point of order. The Commission adopted the proposal on 12 March 2004, after 18 months of negotiation.',
  languages: 'Die Kommission hat den Vorschlag angenommen. La Commission a adopté la proposition. La Comisión aprobó la propuesta. Η Επιτροπή ενέκρινε την πρόταση.',
  code: 'for (int i = 0; i < n; i++) {\n    total += prices[i] * 1.19;\n}',
  emoji: 'Tokens 🤖 are bytes: café, naïve, 東京, 👩‍💻.',
  special: 'Typed text like <|endoftext|> is data, not a control token.',
};
// The three number policies, each with the published tokenizer that shows it.
const POLICIES = [
  { id: 'gpt2', reference: 'r50k_base' },
  { id: 'groups-of-3', reference: 'cl100k_base' },
  { id: 'single', reference: 'cl100k_base-single-digits' },
];

const textBox = document.getElementById('text');
const errorBox = document.getElementById('error');
const panes = [document.getElementById('pane-a'), document.getElementById('pane-b')];
const policyBody = document.querySelector('#policy-table tbody');
let choices = [];
let generation = 0;
let timer = null;

async function api(path, body) {
  const response = await fetch(path, body === undefined ? {} : {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({ error: 'HTTP ' + response.status }));
  if (!response.ok) throw new Error(json.error || 'HTTP ' + response.status);
  return json;
}

function tokenize(text, tokenizer) {
  return api('/api/tokenize', { text, tokenizer });
}

function label(choice) {
  const kind = choice.kind === 'reference' ? 'reference' : (choice.active ? 'trained, active' : 'trained');
  return choice.name + ' · ' + choice.vocabSize + ' ids · ' + choice.numberPolicy + ' (' + kind + ')';
}

async function loadChoices() {
  const list = await api('/api/tokenizers');
  choices = list.tokenizers.concat(list.reference);
  const trained = list.tokenizers.find((t) => t.active) || list.tokenizers[0];
  const defaults = [trained ? trained.id : 'r50k_base', 'cl100k_base'];
  panes.forEach((pane, i) => {
    const select = pane.querySelector('select');
    select.replaceChildren();
    for (const c of choices) {
      const option = document.createElement('option');
      option.value = c.id;
      option.textContent = label(c);
      select.append(option);
    }
    select.value = defaults[i];
    select.addEventListener('change', schedule);
  });
}

// Spaces, tabs and newlines made visible, so a reader sees that " the" and "the" are different tokens.
function visible(text) {
  return text.replace(/ /g, '\u00b7').replace(/\t/g, '\u2192').replace(/\r/g, '\u240d').replace(/\n/g, '\u21b5');
}

function pieceElement(piece, index) {
  const el = document.createElement('span');
  el.className = 'piece c' + (index % 6) + (piece.special ? ' special' : '');
  el.dataset.id = String(piece.id);
  el.title = 'id ' + piece.id + ' · bytes ' + piece.bytes.replace(/(..)(?!$)/g, '$1 ') + ' · byte span [' + piece.start + ', ' + piece.end + ')';
  const t = document.createElement('span');
  t.className = 't';
  t.textContent = visible(piece.text);
  const id = document.createElement('span');
  id.className = 'id';
  id.textContent = String(piece.id);
  el.append(t, id);
  return el;
}

function renderPieces(container, result) {
  container.replaceChildren(...result.pieces.map(pieceElement));
}

function stats(result) {
  if (result.tokenCount === 0) return '0 tokens';
  return result.tokenCount + ' tokens · ' + result.characters + ' characters · ' + result.charsPerToken
    + ' chars/token · ' + result.bytesPerToken + ' bytes/token';
}

// One row per policy with a published tokenizer (the same vocabulary family, so only the digit rule differs),
// then our newest trained tokenizer of each policy: whether it learned digit merges depends on its data.
function policyRows() {
  const rows = [];
  for (const policy of POLICIES) {
    const reference = choices.find((c) => c.id === policy.reference);
    if (reference) rows.push({ policy: policy.id, kind: 'reference', tokenizer: reference });
  }
  for (const policy of POLICIES) {
    const ours = choices.find((c) => c.kind === 'trained' && c.numberPolicy === policy.id);
    if (ours) rows.push({ policy: policy.id, kind: 'trained', tokenizer: ours });
  }
  return rows;
}

async function renderPolicies(text, mine) {
  const rows = await Promise.all(policyRows().map(async (row) => ({ ...row, result: await tokenize(text, row.tokenizer.id) })));
  if (mine !== generation) return;
  policyBody.replaceChildren();
  for (const row of rows) {
    const tr = document.createElement('tr');
    tr.dataset.policy = row.policy;
    tr.dataset.kind = row.kind;
    tr.dataset.tokenizer = row.tokenizer.id;
    const name = row.tokenizer.name + (row.kind === 'trained' ? ' (ours)' : '');
    const cells = [row.policy, name, String(row.result.tokenCount)].map((value, i) => {
      const td = document.createElement('td');
      td.textContent = value;
      if (i === 2) td.className = 'count';
      return td;
    });
    const pieces = document.createElement('td');
    const box = document.createElement('div');
    box.className = 'pieces';
    renderPieces(box, row.result);
    pieces.append(box);
    tr.append(...cells, pieces);
    policyBody.append(tr);
  }
}

async function update() {
  const mine = ++generation;
  const text = textBox.value;
  try {
    const results = await Promise.all(panes.map((pane) => tokenize(text, pane.querySelector('select').value)));
    if (mine !== generation) return;
    panes.forEach((pane, i) => {
      pane.dataset.tokenizer = results[i].tokenizer;
      pane.querySelector('.stats').textContent = stats(results[i]);
      renderPieces(pane.querySelector('.pieces'), results[i]);
    });
    await renderPolicies(text, mine);
    if (mine !== generation) return;
    errorBox.hidden = true;
    document.body.dataset.renderedText = text;
  } catch (e) {
    if (mine !== generation) return;
    errorBox.textContent = e.message;
    errorBox.hidden = false;
  }
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(update, 200);
}

document.querySelectorAll('[data-preset]').forEach((button) => {
  button.addEventListener('click', () => {
    textBox.value = PRESETS[button.dataset.preset];
    update();
  });
});
textBox.addEventListener('input', schedule);

loadChoices().then(update).catch((e) => {
  errorBox.textContent = 'cannot load the tokenizers: ' + e.message;
  errorBox.hidden = false;
});
