// Training dashboard: one job's live curves and numbers from its server-sent events, history from the API.
// Every value from the server goes into the page with textContent, never as HTML.
'use strict';

const $ = (sel) => document.querySelector(sel);
const state = { jobId: null, job: null, train: [], val: [], steps: 0, source: null, drawQueued: false };

// Starting and stopping need an admin token when the service is configured with some; it stays in this tab only.
function withAdminToken(options) {
  const field = document.getElementById('admin-token');
  const token = field ? field.value.trim() : '';
  if (token) sessionStorage.setItem('scratchlm-admin-token', token);
  const saved = token || sessionStorage.getItem('scratchlm-admin-token');
  if (!options || !options.method || options.method === 'GET' || !saved) return options;
  return { ...options, headers: { ...(options.headers || {}), Authorization: 'Bearer ' + saved } };
}

async function api(path, options) {
  const r = await fetch(path, withAdminToken(options));
  const text = await r.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = { error: text }; }
  if (!r.ok) {
    const err = new Error((body && body.error) || (r.status + ' ' + r.statusText));
    err.body = body;
    throw err;
  }
  return body;
}

// ---- formatting ---------------------------------------------------------------------------------------------
const num = (v) => (v === null || v === undefined || v === 'NaN' || Number.isNaN(Number(v))) ? null : Number(v);
function fixed(v, digits) { const n = num(v); return n === null ? '—' : n.toFixed(digits); }
function compact(v) {
  const n = num(v);
  if (n === null) return '—';
  if (n >= 1e6) return (n / 1e6).toFixed(2) + 'M';
  if (n >= 1e3) return (n / 1e3).toFixed(1) + 'k';
  return n.toFixed(0);
}
function duration(seconds) {
  const s = num(seconds);
  if (s === null) return '—';
  const t = Math.round(s), h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), sec = t % 60;
  return h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${String(sec).padStart(2, '0')}s` : `${sec}s`;
}
function bytes(v) {
  const n = num(v);
  if (n === null) return '—';
  return n >= 1 << 20 ? (n / (1 << 20)).toFixed(1) + ' MB' : (n / 1024).toFixed(0) + ' kB';
}
function setText(sel, text) { $(sel).textContent = text; }
function cell(tr, text, title) {
  const td = document.createElement('td');
  td.textContent = text;
  if (title) td.title = title;
  tr.appendChild(td);
  return td;
}

// ---- the selected job -----------------------------------------------------------------------------------------
function showJob(job) {
  state.job = job;
  state.steps = job.steps;
  setText('#job-title', job.id);
  const badge = $('#job-state');
  badge.textContent = job.state;
  badge.className = 'badge ' + job.state;
  const m = job.model || {};
  setText('#job-model', `${m.nLayer} layers · ${m.nHead} heads · width ${m.nEmbd} · context ${m.blockSize} · vocab ${m.vocabSize} · `
    + `${compact(m.parameters)} parameters · tokenizer ${job.tokenizerId}`);
  showNumbers({ step: job.step, loss: job.trainLoss, lr: job.lr, tokensPerSecond: job.tokensPerSecond, mfu: job.mfu,
    etaSeconds: job.etaSeconds, elapsedSeconds: job.elapsedSeconds });
  if (job.valLoss !== null && job.valLoss !== undefined) setText('#val-loss', fixed(job.valLoss, 4));
  $('#stop').disabled = !(job.state === 'running' || job.state === 'queued');
  $('#resume').hidden = job.state !== 'stopped';
  const err = $('#job-error');
  err.hidden = !job.error;
  err.textContent = job.error ? 'failed: ' + job.error : '';
}

function showNumbers(e) {
  if (e.step !== undefined) {
    setText('#step', `${e.step} / ${state.steps}`);
    $('#progress-bar').style.width = (100 * e.step / Math.max(1, state.steps)).toFixed(1) + '%';
  }
  const loss = e.lossAvg !== undefined ? e.lossAvg : e.loss;
  if (loss !== undefined) setText('#train-loss', fixed(loss, 4));
  if (e.lr !== undefined) setText('#lr', num(e.lr) === null ? '—' : Number(e.lr).toExponential(2));
  if (e.tokensPerSecond !== undefined) setText('#tokens-per-second', compact(e.tokensPerSecond));
  if (e.mfu !== undefined) setText('#mfu', num(e.mfu) === null ? '—' : (100 * e.mfu).toFixed(1) + '%');
  if (e.etaSeconds !== undefined) setText('#eta', duration(e.etaSeconds));
  if (e.elapsedSeconds !== undefined) setText('#elapsed', duration(e.elapsedSeconds));
}

async function select(jobId) {
  if (state.source) { state.source.close(); state.source = null; }
  state.jobId = jobId;
  state.train = [];
  state.val = [];
  markSelected();
  const [job, history] = await Promise.all([api('/api/jobs/' + jobId), api('/api/jobs/' + jobId + '/metrics')]);
  if (state.jobId !== jobId) return;
  showJob(job);
  for (const p of history.points) {
    if (num(p.trainLoss) !== null) state.train.push([p.step, Number(p.trainLoss)]);
    if (num(p.valLoss) !== null) state.val.push([p.step, Number(p.valLoss)]);
  }
  draw();
  if (job.state === 'running' || job.state === 'queued') follow(jobId);
}

function follow(jobId) {
  const es = new EventSource('/api/jobs/' + jobId + '/events');
  state.source = es;
  const data = (ev) => JSON.parse(ev.data);
  es.addEventListener('status', (ev) => showJob(data(ev)));
  es.addEventListener('state', (ev) => {
    const d = data(ev);
    if (state.job) showJob(Object.assign({}, state.job, { state: d.state, step: d.step }));
  });
  es.addEventListener('step', (ev) => {
    const d = data(ev);
    const last = state.train.length ? state.train[state.train.length - 1][0] : 0;
    if (d.step > last && num(d.loss) !== null) state.train.push([d.step, Number(d.loss)]);
    showNumbers(d);
    queueDraw();
  });
  es.addEventListener('eval', (ev) => {
    const d = data(ev);
    if (num(d.valLoss) !== null) state.val.push([d.step, Number(d.valLoss)]);
    setText('#val-loss', fixed(d.valLoss, 4));
    queueDraw();
  });
  es.addEventListener('checkpoint', () => loadCheckpoints());
  es.addEventListener('end', async () => {
    es.close(); // the server closes the stream too; do not let EventSource reconnect
    if (state.source === es) state.source = null;
    const job = await api('/api/jobs/' + jobId);
    if (state.jobId === jobId) showJob(job);
    loadJobs();
    loadCheckpoints();
  });
  es.onerror = () => { /* EventSource retries by itself while the job runs */ };
}

// ---- the loss chart ---------------------------------------------------------------------------------------------
function queueDraw() {
  if (state.drawQueued) return;
  state.drawQueued = true;
  requestAnimationFrame(() => { state.drawQueued = false; draw(); });
}

function draw() {
  const canvas = $('#loss-chart');
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || 900, h = canvas.clientHeight || 340;
  if (canvas.width !== Math.round(w * dpr)) { canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr); }
  const g = canvas.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  canvas.dataset.points = String(state.train.length);
  canvas.dataset.valPoints = String(state.val.length);
  const pad = { l: 52, r: 16, t: 12, b: 30 };
  const all = state.train.concat(state.val);
  g.font = '12px system-ui, sans-serif';
  g.fillStyle = '#6b7385';
  if (all.length === 0) {
    g.fillText('the loss curve appears here once the job takes its first steps', pad.l, h / 2);
    return;
  }
  const maxX = Math.max(state.steps || 1, ...all.map((p) => p[0]));
  let lo = Math.min(...all.map((p) => p[1])), hi = Math.max(...all.map((p) => p[1]));
  if (hi - lo < 1e-3) { hi += 0.5; lo -= 0.5; }
  const span = hi - lo;
  lo = Math.max(0, lo - 0.05 * span);
  hi += 0.05 * span;
  const x = (s) => pad.l + (w - pad.l - pad.r) * s / maxX;
  const y = (v) => pad.t + (h - pad.t - pad.b) * (1 - (v - lo) / (hi - lo));

  g.strokeStyle = '#e3e6ec';
  g.lineWidth = 1;
  g.textAlign = 'right';
  for (let i = 0; i <= 5; i++) {
    const v = lo + (hi - lo) * i / 5, yy = y(v);
    g.beginPath(); g.moveTo(pad.l, yy); g.lineTo(w - pad.r, yy); g.stroke();
    g.fillText(v.toFixed(2), pad.l - 6, yy + 4);
  }
  g.textAlign = 'center';
  for (let i = 0; i <= 5; i++) {
    const s = Math.round(maxX * i / 5);
    g.fillText(String(s), x(s), h - 10);
  }

  line(g, state.train, x, y, 'rgba(47, 111, 223, 0.25)', 1);
  // An exponential moving average shows the trend through the per-batch noise.
  const smooth = [];
  let ema = null;
  for (const [s, v] of state.train) { ema = ema === null ? v : 0.9 * ema + 0.1 * v; smooth.push([s, ema]); }
  line(g, smooth, x, y, '#2f6fdf', 2);
  line(g, state.val, x, y, '#e0701e', 2);
  g.fillStyle = '#e0701e';
  for (const [s, v] of state.val) { g.beginPath(); g.arc(x(s), y(v), 3, 0, 2 * Math.PI); g.fill(); }
}

function line(g, pts, x, y, color, width) {
  if (pts.length === 0) return;
  g.strokeStyle = color;
  g.lineWidth = width;
  g.beginPath();
  pts.forEach(([s, v], i) => (i === 0 ? g.moveTo(x(s), y(v)) : g.lineTo(x(s), y(v))));
  g.stroke();
}

// ---- lists ------------------------------------------------------------------------------------------------------
async function loadJobs() {
  const jobs = await api('/api/jobs?limit=20');
  const body = $('#jobs tbody');
  body.replaceChildren();
  for (const j of jobs) {
    const tr = document.createElement('tr');
    tr.dataset.id = j.id;
    cell(tr, j.id);
    cell(tr, j.state);
    cell(tr, `${j.step}/${j.steps}`);
    cell(tr, fixed(j.valLoss, 3));
    tr.addEventListener('click', () => select(j.id));
    body.appendChild(tr);
  }
  markSelected();
  return jobs;
}

function markSelected() {
  for (const tr of document.querySelectorAll('#jobs tbody tr')) tr.classList.toggle('selected', tr.dataset.id === state.jobId);
}

async function loadCheckpoints() {
  const list = await api('/api/checkpoints?limit=50');
  const body = $('#checkpoints tbody');
  body.replaceChildren();
  for (const c of list) {
    const tr = document.createElement('tr');
    tr.classList.toggle('selected', c.job === state.jobId);
    cell(tr, c.id);
    cell(tr, String(c.step));
    cell(tr, fixed(c.trainLoss, 4));
    cell(tr, fixed(c.valLoss, 4));
    cell(tr, bytes(c.size));
    cell(tr, String(c.sha256).slice(0, 12) + '…', c.sha256);
    cell(tr, c.published ? 'yes' : 'pending');
    cell(tr, c.created ? new Date(c.created).toLocaleTimeString() : '—');
    body.appendChild(tr);
  }
}

async function loadTokenizers() {
  const select = $('#tokenizer');
  const chosen = select.value;
  while (select.options.length > 1) select.remove(1);
  for (const t of await api('/api/tokenizers')) {
    const o = document.createElement('option');
    o.value = t.id;
    o.textContent = `${t.id} (vocab ${t.vocabSize === null ? '?' : t.vocabSize}, ${compact(t.trainTokens)} train tokens)`;
    o.disabled = !t.trainable;
    select.appendChild(o);
  }
  select.value = chosen;
}

// ---- actions ----------------------------------------------------------------------------------------------------
$('#job-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  const n = (k) => (f.get(k) === '' || f.get(k) === null ? undefined : Number(f.get(k)));
  const body = {
    stage: 'pretrain',
    tokenizerId: f.get('tokenizerId') || undefined,
    model: { nLayer: n('nLayer'), nHead: n('nHead'), nEmbd: n('nEmbd'), blockSize: n('blockSize'), dropout: n('dropout') },
    steps: n('steps'), batchSize: n('batchSize'), lr: n('lr'),
    evalEvery: n('evalEvery'), checkpointEvery: n('checkpointEvery'), seed: n('seed'),
  };
  const errors = $('#form-error');
  errors.replaceChildren();
  errors.hidden = true;
  $('#start').disabled = true;
  try {
    const r = await api('/api/jobs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    await loadJobs();
    await select(r.id);
  } catch (e) {
    const problems = (e.body && e.body.problems && e.body.problems.length) ? e.body.problems : [e.message];
    for (const p of problems) { const li = document.createElement('li'); li.textContent = p; errors.appendChild(li); }
    errors.hidden = false;
  } finally {
    $('#start').disabled = false;
  }
});

$('#stop').addEventListener('click', async () => {
  if (!state.jobId) return;
  $('#stop').disabled = true;
  try {
    await api('/api/jobs/' + state.jobId + '/stop', { method: 'POST', headers: { 'Content-Type': 'application/json' } });
  } catch (e) {
    const err = $('#job-error');
    err.hidden = false;
    err.textContent = e.message;
  }
});

$('#resume').addEventListener('click', async () => {
  if (!state.jobId) return;
  const jobId = state.jobId;
  $('#resume').hidden = true;
  try {
    await api('/api/jobs/' + jobId + '/resume', { method: 'POST', headers: { 'Content-Type': 'application/json' } });
    await select(jobId); // queued again: follow its events from where it stopped
    loadJobs();
  } catch (e) {
    const err = $('#job-error');
    err.hidden = false;
    err.textContent = e.message;
  }
});

window.addEventListener('resize', queueDraw);

async function start() {
  try {
    const info = await api('/api/info');
    setText('#info', `MFU against ${info.peakGflops.toFixed(0)} GFLOP/s peak (${info.cores} cores × clock × 64 FLOP/cycle) · `
      + `${info.threads} training threads · ${bytes(info.jobMemoryBytes)} for a job`);
  } catch (e) {
    setText('#info', 'trainer unreachable: ' + e.message);
  }
  await Promise.all([loadTokenizers(), loadCheckpoints()]);
  const jobs = await loadJobs();
  const current = jobs.find((j) => j.state === 'running') || jobs.find((j) => j.state === 'queued') || jobs[0];
  if (current) await select(current.id); else draw();
  setInterval(() => { loadJobs(); loadTokenizers(); }, 5000);
  setInterval(loadCheckpoints, 15000);
}

start();
