// sgdlab's live view: the run on screen in three plotly panels, its numbers, its step
// table, and every run of its family (the same settings at each learning rate), so that
// the rate scrubber, the step slider and the player redraw in the browser alone.
//
// Python (sgdlab/figures/live.py) sends one packed blob: "SGDL", a little-endian u32, a
// JSON header, then typed arrays at the offsets the header names. The header holds the
// three panels' plotly specs for the run on screen at its step, and per member its title,
// warning, axes and arrays. A new blob of the same family ("key") and the same member and
// step draws nothing: the page already shows it.
// (live_format.js, which this file follows, holds the number formatting and geometry.)

// plotly.js (its basic bundle: scatter traces are all the live view draws), fetched once
// and kept by the browser: the address carries its version. Shared by every instance: the
// page's first element starts the download (preload) and the live view finds it going.
const loading = (window.sgdlabPlotlyLoading = window.sgdlabPlotlyLoading || {});

function plotly(src) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!loading[src]) {
    loading[src] = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.async = true;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => { delete loading[src]; reject(new Error(`${src} did not load`)); };
      document.head.appendChild(script);
    });
  }
  return loading[src];
}

// The app's own address (it may sit below a path, server.baseUrlPath): where Streamlit
// loaded its own scripts from.
function appBase() {
  const own = document.querySelector('script[src*="/static/js/"]');
  return own ? own.src.slice(0, own.src.indexOf("static/js/")) : document.baseURI;
}

const KINDS = { f4: Float32Array, f8: Float64Array, u1: Uint8Array, u2: Uint16Array,
                u4: Uint32Array, i4: Int32Array };

function decode(data) {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = view.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + size)));
  // one aligned copy of the arrays: typed arrays need their element size's alignment
  const start = 8 + size;
  const buffer = bytes.slice(start).buffer;
  const arrays = {};
  for (const [name, [offset, length, kind]] of Object.entries(header.arrays)) {
    arrays[name] = new KINDS[kind](buffer, offset, length);
  }
  return { h: header, arr: arrays };
}

function el(tag, cls, parent, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, k) => (k in values ? values[k] : `{${k}}`));
}

// One member of the family: its arrays, and its values at any step it keeps.
class Member {
  constructor(h, arr, i) {
    const m = h.members[i];
    Object.assign(this, m);
    this.i = i;
    const p = `m${i}.`;
    this.a = arr[p + "a"];
    this.b = arr[p + "b"];
    this.bl = arr[p + "bl"];
    this.ga = arr[p + "ga"];
    this.gb = arr[p + "gb"];
    this.t = arr[p + "t"];  // the steps a sampled member keeps (absent: every step)
    this.stats = arr.stats;
    this._totals = null;
  }

  at(step) {  // index of a kept step in the arrays, or -1
    if (!this.t) return step >= 1 && step <= this.steps ? step - 1 : -1;
    let lo = 0;
    let hi = this.t.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.t[mid] === step) return mid;
      if (this.t[mid] < step) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
  }

  get totals() {
    if (!this._totals) {
      this._totals = new Float64Array(this.a.length);
      for (let k = 0; k < this.a.length; k += 1) {
        this._totals[k] = totalLoss(this.a[k], this.b[k], this.stats);
      }
    }
    return this._totals;
  }

  stepsX() {  // x of the loss curves
    if (this.t) return { x: Array.from(this.t) };
    return { x0: 1, dx: 1 };
  }
}

const PANELS = ["fit", "params", "loss"];
const MOVING = { fit: ["batch", "fit"], loss: ["batch_loss", "total_loss", "current"],
                 params: ["path", "current", "batch_step", "full_step"] };
const TABLE_ROWS = 20;
const SETTLE_MS = 180;  // a rest this long after the last input re-frames the panels

class LiveView {
  constructor(parent) {
    this.root = el("div", "sgdlab-live", parent);
    this.titleEl = el("div", "sgdlab-title", this.root);
    this.warningEl = el("div", "sgdlab-warning", this.root);
    this.warningEl.setAttribute("role", "status");
    const controls = el("div", "sgdlab-controls", this.root);
    // the rate scrubber
    this.scrub = el("label", "sgdlab-scrub", controls);
    this.scrubName = el("span", "sgdlab-scrub-name", this.scrub);
    this.scrubInput = el("input", "", this.scrub);
    this.scrubInput.type = "range";
    this.scrubInput.step = "1";
    this.scrubOut = el("output", "sgdlab-scrub-value", this.scrub);
    this.scrubNote = el("span", "sgdlab-note", controls);
    // the player and the step
    const player = el("div", "sgdlab-player", controls);
    this.playBtn = el("button", "sgdlab-play", player);
    this.playBtn.type = "button";
    this.speedBtns = [2, 4].map((k) => {
      const b = el("button", "sgdlab-speed", player, `×${k}`);
      b.type = "button";
      b.dataset.speed = String(k);
      return b;
    });
    this.stepWrap = el("label", "sgdlab-step", player);
    this.stepName = el("span", "sgdlab-step-name", this.stepWrap);
    this.stepInput = el("input", "", this.stepWrap);
    this.stepInput.type = "range";
    this.stepInput.step = "1";
    this.stepBox = el("input", "sgdlab-step-box", player);
    this.stepBox.type = "number";
    this.stepBox.step = "1";
    this.stepOf = el("span", "sgdlab-step-of", player);
    this.logWrap = el("label", "sgdlab-log", player);
    this.logInput = el("input", "", this.logWrap);
    this.logInput.type = "checkbox";
    this.logName = el("span", "", this.logWrap);
    this.stepNote = el("div", "sgdlab-note sgdlab-step-note", this.root);
    // the step's numbers
    const readout = el("div", "sgdlab-readout", this.root);
    this.line = el("code", "sgdlab-line", readout);
    this.metrics = el("dl", "sgdlab-metrics", readout);
    this.noSteps = el("div", "sgdlab-note", readout);
    // the panels
    const grid = el("div", "sgdlab-panels", this.root);
    this.panels = {};
    for (const name of PANELS) {
      const fig = el("figure", `sgdlab-panel sgdlab-panel-${name}`, grid);
      const cap = el("figcaption", "", fig);
      const gd = el("div", "sgdlab-plot", fig);
      this.panels[name] = { cap, gd, figure: null, drawn: null };
    }
    // the step table
    this.tableWrap = el("div", "sgdlab-table", this.root);
    this.tableHead = el("div", "sgdlab-table-head", this.tableWrap);
    this.tableCaption = el("div", "sgdlab-note", this.tableWrap);
    this.tableScroll = el("div", "sgdlab-table-scroll", this.tableWrap);
    this.table = el("table", "sgdlab-steps", this.tableScroll);

    this.model = null;   // { h, arr, members }
    this.shown = null;   // [member index, step] on screen
    this.log = false;
    this.playing = null;
    this.commitTimer = null;
    this.touched = 0;  // when the reader last moved a control (performance.now())
    this.listen();
  }

  // ---------------------------------------------------------------- input

  listen() {
    const touch = () => { this.touched = performance.now(); };
    for (const input of [this.scrubInput, this.stepInput, this.stepBox]) {
      input.addEventListener("input", touch);
      input.addEventListener("pointerdown", touch);
    }
    this.scrubInput.addEventListener("input", () => this.scrubbed(false));
    this.scrubInput.addEventListener("change", () => this.scrubbed(true));
    this.stepInput.addEventListener("input", () => this.stepped(false));
    this.stepInput.addEventListener("change", () => this.stepped(true));
    this.stepBox.addEventListener("change", () => this.typedStep());
    this.logInput.addEventListener("change", () => {
      this.log = this.logInput.checked;
      this.draw();
    });
    this.playBtn.addEventListener("click", () => (this.playing ? this.pause() : this.play(1)));
    for (const b of this.speedBtns) {
      b.addEventListener("click", () => this.play(Number(b.dataset.speed)));
    }
  }

  scrubbed(release) {
    const m = this.model;
    if (!m) return;
    const i = Number(this.scrubInput.value);
    this.scrubOut.textContent = general(m.h.values[i], 6);
    this.scrubInput.setAttribute("aria-valuetext", this.scrubOut.textContent);
    if (m.h.server_only) {  // the family is not here: the server draws each rate
      if (release) this.commitSoon(0, { lr: m.h.values[i], step: null });
      return;
    }
    const step = this.stepFor(this.member(i), this.shown ? this.shown[1] : m.h.step);
    this.show(i, step);
    if (release) this.commitSoon();
  }

  stepped(release) {
    if (!this.model || !this.shown) return;
    const stops = this.stopsOf(this.member());
    const step = stops[Number(this.stepInput.value)];
    if (step === undefined) return;
    this.pause(false);
    this.show(this.shown[0], step);
    if (release) this.commitSoon();
  }

  typedStep() {
    const m = this.member();
    if (!m) return;
    const w = this.model.h.words;
    const typed = Number(this.stepBox.value);
    if (!Number.isFinite(typed)) { this.stepBox.value = String(this.shown[1]); return; }
    let step = Math.round(typed);
    const last = Math.max(m.steps, 1);
    const fixedStep = Math.min(Math.max(step, 1), last);
    if (fixedStep !== typed) {
      this.stepNote.textContent = fill(w.step_clamped, { typed: this.stepBox.value, lo: 1,
                                                           hi: last, fixed: fixedStep });
    } else this.stepNote.textContent = "";
    step = fixedStep;
    this.stepBox.value = String(step);
    this.pause(false);
    if (m.at(step) >= 0) {
      this.show(this.shown[0], step);
      this.commitSoon(0);
    } else {  // a step the sampled run does not keep: the server sends it
      this.commitSoon(0, { lr: this.model.h.values[this.shown[0]], step });
    }
  }

  commitSoon(delay = 350, value = null) {
    clearTimeout(this.commitTimer);
    this.commitTimer = setTimeout(() => {
      this.commitTimer = null;
      const m = this.model;
      if (!m || !this.send) return;
      const [i, step] = this.shown || [m.h.current, m.h.step];
      const out = value || { lr: m.h.values[i], step };
      if (!value && i === m.h.current && step === m.h.step) return;  // as the server has it
      this.send("commit", out);
    }, delay);
  }

  // ---------------------------------------------------------------- the model

  member(i) {  // the member at value index i (the run on screen when i is absent)
    if (!this.model) return null;
    const k = i === undefined ? (this.shown ? this.shown[0] : this.model.h.current) : i;
    return this.model.members[this.model.h.lone ? 0 : k] || null;
  }

  stopsOf(member) {
    const all = this.model.arr.stops;
    const out = [];
    for (const s of all) if (s <= member.steps && member.at(s) >= 0) out.push(s);
    return out;
  }

  stepFor(member, step) {  // the nearest step the member keeps at or below ``step``
    if (member.steps === 0) return 0;
    if (step > member.steps) return member.steps;
    if (member.at(step) >= 0) return step;
    const stops = this.stopsOf(member);
    let best = stops[0];
    for (const s of stops) if (s <= step) best = s;
    return best;
  }

  receive(h, arr) {
    const same = !!(this.model && h.key && this.model.h.key === h.key);
    // Members of the same family decoded before are kept, but for the run on screen and
    // the one that was (the one on screen comes exact, train()'s own).
    const keep = same && !h.lone && !this.model.h.lone
      && this.model.members.length === h.members.length;
    const members = h.members.map((_, i) => (keep && i !== h.current && i !== this.model.h.current
      ? this.model.members[i] : new Member(h, arr, i)));
    const firstTime = !this.model;
    this.model = { h, arr, members };
    if (firstTime) this.log = !!h.log_y;
    this.words(h.words);
    const wanted = [h.current, h.step];
    // The reader is still moving (or about to send) a control: a state the server sends
    // meanwhile, for an earlier commit, must not pull the controls back under their hand.
    const busy = same && this.shown && !this.playing
      && (this.commitTimer !== null || performance.now() - this.touched < 1000);
    if (busy) {
      this.texts(...this.shown);
      this.table_(...this.shown);
      if (this.commitTimer === null) this.commitSoon();
      return;
    }
    const showing = this.shown && same && this.shown[0] === wanted[0] && this.shown[1] === wanted[1];
    if (showing && !this.playing) {
      // the page already shows this state: only the numbers that came exact are rewritten
      this.texts(wanted[0], wanted[1]);
      this.table_(wanted[0], wanted[1]);
      return;
    }
    if (this.playing && same) return;  // playback goes on; the next stop commits
    this.pause(false);
    this.show(wanted[0], wanted[1]);
  }

  words(w) {
    this.scrubName.textContent = w.lr;
    this.scrubInput.setAttribute("aria-label", w.lr);
    this.stepName.textContent = w.step;
    this.stepInput.setAttribute("aria-label", w.step);
    this.stepBox.setAttribute("aria-label", w.step_exact);
    this.logName.textContent = w.log_y;
    this.logWrap.title = w.log_help;
    this.speedBtns.forEach((b) => { b.title = w.speed; });
    this.tableHead.textContent = w.table;
    for (const name of PANELS) this.panels[name].cap.textContent = w[`${name}_panel`];
    this.playBtn.textContent = this.playing ? w.pause : w.play;
  }

  // ---------------------------------------------------------------- showing a state

  show(i, step) {
    const member = this.member(i);
    step = member.steps ? Math.min(Math.max(step, 1), member.steps) : 0;
    this.shown = [i, step];
    this.controls(i, step);
    this.texts(i, step);
    this.table_(i, step);
    this.draw();
  }

  controls(i, step) {
    const m = this.model;
    const h = m.h;
    const w = h.words;
    const member = this.member(i);
    this.scrub.hidden = !!h.lr_hidden;
    this.scrubInput.min = "0";
    this.scrubInput.max = String(h.values.length - 1);
    this.scrubInput.value = String(i);
    this.scrubInput.disabled = !!h.lr_locked;
    this.scrubOut.textContent = general(h.values[i], 6);
    this.scrubInput.setAttribute("aria-valuetext", this.scrubOut.textContent);
    this.scrubNote.textContent = h.lr_locked ? w.locked : (h.server_only ? w.server_only : "");
    const stops = this.stopsOf(member);
    this.stepInput.min = "0";
    this.stepInput.max = String(Math.max(stops.length - 1, 0));
    this.stepInput.value = String(Math.max(stops.indexOf(step), 0));
    this.stepInput.setAttribute("aria-valuetext", String(step));
    this.stepInput.disabled = member.steps === 0;
    this.stepBox.min = "1";
    this.stepBox.max = String(Math.max(member.steps, 1));
    this.stepBox.value = String(step || 0);
    this.stepBox.disabled = member.steps === 0;
    this.stepOf.textContent = `/ ${member.steps}`;
    this.playBtn.disabled = member.steps < 2;
    this.speedBtns.forEach((b) => { b.disabled = member.steps < 2; });
    this.logInput.checked = this.log || member.forced_log;
    this.logInput.disabled = member.forced_log;
    this.logWrap.title = member.forced_log ? w.log_forced_help : w.log_help;
  }

  texts(i, step) {
    const h = this.model.h;
    const w = h.words;
    const member = this.member(i);
    this.titleEl.textContent = member.title;
    this.warningEl.textContent = member.warning || "";
    this.warningEl.hidden = !member.warning;
    this.noSteps.textContent = member.steps ? "" : w.no_steps;
    this.line.hidden = !member.steps;
    const k = member.at(step);
    const values = [];
    if (member.steps && k >= 0) {
      const a = member.a[k];
      const b = member.b[k];
      const [oa, ob] = h.opt;
      values.push([w.a, coefficient(a)],
                  [w.b, coefficient(b)], [w.batch_loss, sig3(member.bl[k])],
                  [w.total_loss, sig3(member.totals[k])],
                  [w.distance, sig3(Math.hypot(a - oa, b - ob)), w.distance_help]);
      this.line.textContent = notebookLine(step, member.bl[k], a, b);
    }
    this.metrics.replaceChildren();
    for (const [label, value, help] of values) {
      const item = el("div", "sgdlab-metric", this.metrics);
      const dt = el("dt", "", item, label);
      if (help) dt.title = help;
      el("dd", "", item, value);
    }
  }

  table_(i, step) {
    const h = this.model.h;
    const w = h.words;
    const member = this.member(i);
    const n = member.steps;
    this.table.replaceChildren();
    this.tableWrap.hidden = n === 0;
    if (!n) return;
    if (!member.whole) {
      this.tableCaption.textContent = w.table_sampled;
      this.tableScroll.hidden = true;
      return;
    }
    this.tableScroll.hidden = false;
    const lo = Math.trunc(Math.min(Math.max(step - TABLE_ROWS / 2, 0), Math.max(n - TABLE_ROWS, 0)));
    const hi = Math.min(lo + TABLE_ROWS, n);
    this.tableCaption.textContent = n > TABLE_ROWS
      ? fill(w.table_window, { lo: lo + 1, hi, n }) : "";
    const head = el("tr", "", el("thead", "", this.table));
    for (const name of w.columns) el("th", "", head, name);
    const body = el("tbody", "", this.table);
    const factors = this.model.arr.factors;
    const size = h.batches.size;
    for (let k = lo; k < hi; k += 1) {
      const tr = el("tr", k + 1 === step ? "current" : "", body);
      const lr = factors ? member.lr * factors[k] : member.lr;
      const bs = h.batches.replacement ? size : Math.min(size, h.n - ((k * size) % h.n));
      const cells = [String(k + 1), general(member.bl[k], 6), general(member.totals[k], 6),
                     general(member.a[k], 6), general(member.b[k], 6), general(member.ga[k], 6),
                     general(member.gb[k], 6), general(lr, 6), String(bs)];
      for (const c of cells) el("td", "", tr, c);
    }
  }

  // ---------------------------------------------------------------- the panels

  batchPoints(step) {
    const h = this.model.h;
    const arr = this.model.arr;
    const bt = h.batches;
    let idx = [];
    if (step >= 1) {
      if (bt.kind === "window") {
        const start = ((step - 1) * bt.size) % h.n;
        const stop = Math.min(start + bt.size, h.n);
        const count = stop - start;
        const thin = thinned(count, bt.shown);
        idx = thin ? thin.map((k) => start + k) : Array.from({ length: count }, (_, k) => start + k);
      } else {
        const row = Array.prototype.indexOf.call(arr.stops, step);
        if (row >= 0) {
          for (let k = 0; k < bt.width; k += 1) {
            const v = arr.batches[row * bt.width + k];
            if (v < h.n) idx.push(v);
          }
        }
      }
    }
    return { x: idx.map((k) => arr.x[k]), y: idx.map((k) => arr.y[k]) };
  }

  moving(name, member, step) {
    const h = this.model.h;
    const k = member.at(step);
    const a = k >= 0 ? member.a[k] : 0;
    const b = k >= 0 ? member.b[k] : 0;
    if (name === "fit") {
      const [x0, x1] = h.x_range;
      return { batch: this.batchPoints(step), fit: { x: [x0, x1], y: [a * x0 + b, a * x1 + b] } };
    }
    if (name === "loss") {
      const xs = member.stepsX();
      const total = k >= 0 ? member.totals[k] : NaN;
      return {
        batch_loss: { ...xs, y: member.bl, mode: member.modes.loss },
        total_loss: { ...xs, y: member.totals, mode: member.modes.loss },
        current: { x: [step], y: [total] },
      };
    }
    const px = new Float32Array(member.a.length + 1);
    const py = new Float32Array(member.b.length + 1);
    px.set(member.a, 1);
    py.set(member.b, 1);
    const before = step > 1 ? member.at(step - 1) : -1;
    const prev = before >= 0 ? [member.a[before], member.b[before]] : [0, 0];
    const mk = marker([a, b], prev, member.box);
    const arrows = this.arrows(member, step, k, before >= 0 || step === 1 ? prev : null);
    const off = mk.arrow ? `<br>${h.words.off_chart}` : "";
    return {
      path: { x: px, y: py, mode: member.modes.path },
      current: {
        x: [mk.x], y: [mk.y], text: [`a=${general(a, 6)}<br>b=${general(b, 6)}${off}`],
        marker: mk.arrow ? { symbol: "arrow", angle: mk.angle, size: 22 }
          : { symbol: "circle", angle: 0, size: 16 },
      },
      ...arrows,
    };
  }

  // sgdlab.figures.params.steps_taken: from (a, b) before update ``step``, the batch's
  // step -lr g_batch and the whole data's -lr g_full, to scale.
  arrows(member, step, k, start) {
    const none = { x: [], y: [] };
    if (k < 0 || !start || !member.ga) return { batch_step: none, full_step: none };
    const factors = this.model.arr.factors;
    const lr = member.lr * (factors ? factors[step - 1] : 1);
    const [mx, my, sxx, sxy] = member.stats;
    const [a0, b0] = start;
    const fa = 2 * (a0 * (sxx + mx * mx) + b0 * mx - (sxy + mx * my));
    const fb = 2 * (a0 * mx + b0 - my);
    const seg = (ga, gb) => ({ x: [a0, a0 - lr * ga], y: [b0, b0 - lr * gb] });
    return { batch_step: seg(member.ga[k], member.gb[k]), full_step: seg(fa, fb) };
  }

  figureFor(name, member, step) {
    const base = this.model.h.panels[name];
    const parts = this.moving(name, member, step);
    const data = base.data.map((trace) => {
      const part = trace.meta && parts[trace.meta.role];
      if (!part || !MOVING[name].includes(trace.meta.role)) return trace;
      const out = { ...trace, ...part };
      if (part.x0 !== undefined) delete out.x;
      if (part.x !== undefined && trace.x0 !== undefined) { delete out.x0; delete out.dx; }
      if (part.marker) out.marker = { ...trace.marker, ...part.marker };
      return out;
    });
    const layout = { ...base.layout };
    if (name === "loss") {
      const y = member.forced_log || this.log ? member.loss_y.log : member.loss_y.linear;
      const axis = (baseAxis, patch) => {
        const out = { ...baseAxis, ...patch, title: { ...baseAxis.title, ...patch.title } };
        for (const k of ["dtick", "exponentformat"]) if (!(k in patch)) delete out[k];
        return out;
      };
      layout.xaxis = axis(base.layout.xaxis, member.loss_x);
      layout.yaxis = axis(base.layout.yaxis, y);
    } else if (name === "params") {
      layout.xaxis = { ...base.layout.xaxis, range: member.box[0] };
      layout.yaxis = { ...base.layout.yaxis, range: member.box[1] };
    }
    return { data, layout };
  }

  // The latest state is drawn once per animation frame: input events come faster than
  // plotly draws, and a queue of stale states would only lag behind the reader's hand.
  draw(full = false) {
    const m = this.model;
    if (!m || !this.shown) return;
    this.fullDraw = this.fullDraw || full;
    if (this.frameAsked) return;
    this.frameAsked = true;
    const src = new URL(m.h.plotly, appBase()).href;
    plotly(src).then((Plotly) => {
      requestAnimationFrame(() => {
        this.frameAsked = false;
        const all = this.fullDraw;
        this.fullDraw = false;
        this.paint(Plotly, all);
      });
    }, (err) => {
      this.frameAsked = false;
      console.warn("sgdlab live view:", err);
      this.stepNote.textContent = m.h.words.failed;
    });
  }

  paint(Plotly, full) {
    const m = this.model;
    const [i, step] = this.shown;
    const member = this.member(i);
    if (!Plotly.sgdlabLocales) {
      Plotly.sgdlabLocales = true;
      Plotly.register({ moduleType: "locale", name: "zh-CN", dictionary: m.h.zh_cn });
    }
    if (!this.configs || this.configs.model !== m) {  // one config object per panel and blob
      this.configs = { model: m };
      for (const name of PANELS) {
        this.configs[name] = { ...m.h.config, toImageButtonOptions: {
          ...m.h.image, filename: `${m.h.image.filename}-${name}` } };
      }
    }
    // While the reader drags, a panel keeps its frame and only its traces move (plotly's
    // animation path restyles them in place, a small part of a full redraw); once the
    // hand rests, each panel takes the frame of the run on screen in one redraw.
    const moving = !full && performance.now() - this.touched < SETTLE_MS;
    for (const name of PANELS) {
      const panel = this.panels[name];
      // What a panel's axes and static traces depend on: the blob's panel, the member
      // (its axes) and the log switch.
      const look = name === "fit" ? [m.h.panels[name]]
        : name === "params" ? [m.h.panels[name], i] : [m.h.panels[name], i, this.log || member.forced_log];
      const same = !full && panel.look && panel.look.every((v, k) => v === look[k]);
      const reframe = !same && panel.look && panel.look[0] === look[0] && moving;
      if (same || reframe) {
        const parts = this.moving(name, member, step);
        const traces = [];
        const data = [];
        panel.roles.forEach((role, k) => {
          if (role && parts[role]) {
            traces.push(k);
            data.push(parts[role]);
          }
        });
        Plotly.animate(panel.gd, { data, traces }, { frame: { duration: 0, redraw: false },
          transition: { duration: 0 }, mode: "immediate" }).catch(() => {});
        if (reframe) panel.stale = true;
        continue;
      }
      const { data, layout } = this.figureFor(name, member, step);
      panel.roles = data.map((t) => (t.meta && MOVING[name].includes(t.meta.role) ? t.meta.role : null));
      panel.look = look;
      panel.stale = false;
      Plotly.react(panel.gd, data, layout, this.configs[name]);
    }
    clearTimeout(this.settleTimer);
    if (PANELS.some((name) => this.panels[name].stale)) {
      this.settleTimer = setTimeout(() => this.draw(), SETTLE_MS);
    }
  }

  // ---------------------------------------------------------------- playback

  play(speed) {
    const member = this.member();
    if (!member || member.steps < 2) return;
    const stops = this.stopsOf(member);
    let at = stops.indexOf(this.shown[1]);
    if (at < 0 || at >= stops.length - 1) at = -1;  // from the start at the end
    this.pause(false);
    const every = frameDuration(stops.length, speed);
    const run = { timer: null };
    this.playing = run;
    this.playBtn.textContent = this.model.h.words.pause;
    this.root.classList.add("sgdlab-is-playing");
    const tick = () => {
      if (this.playing !== run) return;
      at += 1;
      this.show(this.shown[0], stops[at]);
      if (at >= stops.length - 1) { this.pause(); return; }
      run.timer = setTimeout(tick, every);
    };
    tick();
  }

  pause(commit = true) {
    if (!this.playing) return;
    clearTimeout(this.playing.timer);
    this.playing = null;
    this.root.classList.remove("sgdlab-is-playing");
    if (this.model) this.playBtn.textContent = this.model.h.words.play;
    if (commit) this.commitSoon(0);
  }
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes[0] === 123) {  // "{": not a live view, only where plotly.js is (preload)
    const { plotly: src } = JSON.parse(new TextDecoder().decode(bytes));
    plotly(new URL(src, appBase()).href).catch(() => {});  // the live view says if it fails
    return;
  }
  let view = parentElement.sgdlabView;
  if (!view) {
    view = new LiveView(parentElement);
    parentElement.sgdlabView = view;
  }
  view.send = setTriggerValue;
  const { h, arr } = decode(data);
  view.receive(h, arr);
}
