// The arithmetic lab's page: reads the last run (GET /api/labs/arithmetic) and draws the accuracy table, a chart of
// accuracy by digits per policy (inline SVG) and the example split by each tokenizer. Everything from the file is
// text: it is inserted with textContent only, never as markup.
'use strict';
const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const COLORS = { 'gpt2': '#d0573f', 'groups-of-3': '#3b6fd8', 'single': '#2f9e5b' };

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}
function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = String(text);
  return e;
}
function pct(a) { return typeof a === 'number' && isFinite(a) ? (a * 100).toFixed(1) + '%' : '–'; }

// The same API key as the chat page (stored by it under scratchlm-api-key), asked for when the service wants one.
function headers() {
  const key = localStorage.getItem('scratchlm-api-key');
  return key ? { 'Authorization': 'Bearer ' + key } : {};
}
$('api-key').addEventListener('change', () => { localStorage.setItem('scratchlm-api-key', $('api-key').value); load(); });

function run(lab, policy, form) { return lab.runs.find((r) => r.policy === policy && r.form === form); }

function table(lab) {
  const t = $('accuracy');
  t.replaceChildren();
  const head = el('tr');
  head.appendChild(el('th', 'digits', 'text'));
  for (const form of lab.forms) for (const p of lab.policies) head.appendChild(el('th', p + ' ' + form));
  t.appendChild(head);
  for (const d of lab.digits) {
    const tr = el('tr');
    tr.appendChild(el('th', d, 'text'));
    for (const form of lab.forms) {
      for (const p of lab.policies) {
        const r = run(lab, p, form);
        const td = el('td', r ? pct(r.accuracy[String(d)]) : '–');
        td.dataset.policy = p;
        td.dataset.form = form;
        td.dataset.digits = String(d);
        if (r) td.title = r.correct[String(d)] + ' of ' + r.total[String(d)];
        tr.appendChild(td);
      }
    }
    t.appendChild(tr);
  }
}

function chart(lab) {
  const W = 640, H = 300, L = 50, R = 150, T = 15, B = 40;
  const s = svg('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': 'accuracy by digits' });
  const n = lab.digits.length;
  const x = (i) => L + (n === 1 ? (W - L - R) / 2 : i * (W - L - R) / (n - 1));
  const y = (a) => T + (1 - a) * (H - T - B);
  for (const a of [0, 0.25, 0.5, 0.75, 1]) {
    s.appendChild(svg('line', { x1: L, x2: W - R, y1: y(a), y2: y(a), stroke: '#e4e7ec' }));
    s.appendChild(svg('text', { x: L - 8, y: y(a) + 4, 'text-anchor': 'end' }, (a * 100) + '%'));
  }
  lab.digits.forEach((d, i) => s.appendChild(svg('text', { x: x(i), y: H - B + 18, 'text-anchor': 'middle' }, d)));
  s.appendChild(svg('text', { x: (L + W - R) / 2, y: H - 5, 'text-anchor': 'middle' }, 'digits per operand'));
  let row = 0;
  for (const form of lab.forms) {
    for (const p of lab.policies) {
      const r = run(lab, p, form);
      if (!r) continue;
      const pts = lab.digits.map((d, i) => x(i) + ',' + y(r.accuracy[String(d)] || 0)).join(' ');
      const g = svg('g', { class: 'series', 'data-policy': p, 'data-form': form });
      g.appendChild(svg('polyline', { points: pts, fill: 'none', stroke: COLORS[p] || '#555', 'stroke-width': 2,
        'stroke-dasharray': form === 'reversed' ? '6 4' : 'none' }));
      lab.digits.forEach((d, i) => g.appendChild(svg('circle', { cx: x(i), cy: y(r.accuracy[String(d)] || 0), r: 3,
        fill: COLORS[p] || '#555' })));
      s.appendChild(g);
      const ly = T + 10 + row * 20;
      s.appendChild(svg('line', { x1: W - R + 10, x2: W - R + 35, y1: ly, y2: ly, stroke: COLORS[p] || '#555', 'stroke-width': 2,
        'stroke-dasharray': form === 'reversed' ? '6 4' : 'none' }));
      s.appendChild(svg('text', { x: W - R + 40, y: ly + 4 }, p + ' ' + form));
      row++;
    }
  }
  $('chart').replaceChildren(s);
}

function example(lab) {
  const t = $('example');
  t.replaceChildren();
  const head = el('tr');
  for (const h of ['policy', 'form', 'pieces the model sees', 'model\u2019s answer']) head.appendChild(el('th', h, 'text'));
  t.appendChild(head);
  for (const r of lab.runs) {
    const tr = el('tr');
    tr.appendChild(el('td', r.policy, 'text'));
    tr.appendChild(el('td', r.form, 'text'));
    const pieces = el('td', null, 'text pieces');
    for (const p of r.examplePieces) pieces.appendChild(el('span', p, 'piece'));
    tr.appendChild(pieces);
    const want = r.form === 'reversed' ? lab.example.reversedAnswer : lab.example.answer;
    tr.appendChild(el('td', (r.exampleAnswer === null ? '(none)' : r.exampleAnswer) + (r.exampleCorrect ? ' \u2713' : ' (want ' + want + ')'),
      'text answer ' + (r.exampleCorrect ? 'right' : 'wrong')));
    t.appendChild(tr);
  }
}

async function load() {
  $('status').textContent = 'loading…';
  const res = await fetch('/api/labs/arithmetic', { headers: headers() });
  if (res.status === 401) {
    $('key-label').hidden = false;
    $('status').textContent = 'this service wants an API key';
    return;
  }
  if (!res.ok) {
    let msg = 'HTTP ' + res.status;
    try { msg = (await res.json()).error.message || msg; } catch (e) { /* not JSON */ }
    $('status').textContent = msg;
    return;
  }
  const lab = await res.json();
  const s = lab.setup;
  $('setup').textContent = s.trainProblems + ' training and ' + s.testProblems + ' test problems (seed ' + s.seed
    + '); ' + s.parameters + '-parameter model, ' + s.steps + ' steps \u00d7 ' + s.batchSize + ' \u00d7 ' + s.seqLen
    + ' = ' + s.tokenBudget + ' tokens per model; whole run ' + Math.round(lab.wallSeconds) + ' s. ' + lab.summary;
  table(lab);
  chart(lab);
  example(lab);
  $('status').textContent = '';
}
load();
