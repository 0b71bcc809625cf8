// sgdlab's live figure: one plotly div that Plotly.react redraws in place.
//
// Python (sgdlab/ui/live_chart.py) sends UTF-8 JSON bytes: {"src": plotly.js's path
// below the app's address, "failed": what to say if it cannot load, "fullscreen" and
// "download": two modebar buttons' labels, "image": {filename, format, scale} for the
// download, "figure": {data, layout, frames, config}}. The
// component has a key, so its div outlives reruns and a new figure costs one
// Plotly.react, not a new chart drawn twice.
const loading = {};

// plotly.js rejects an interrupted animation's promise with no reason at all, and its
// own ▶ / ⏸ / ×2 buttons do not catch it: every Pause or speed change mid-play logged
// "Uncaught (in promise) undefined". Such a rejection is not an error; others still are.
if (!window.sgdlabQuietAnimations) {
  window.sgdlabQuietAnimations = true;
  window.addEventListener("unhandledrejection", (event) => {
    if (event.reason === undefined && document.querySelector(".sgdlab-live-chart")) {
      event.preventDefault();
    }
  });
}

// Streamlit serves the file with no validator or lifetime, so a plain <script src>
// downloads all of it again on every page load. "force-cache" takes the browser's
// stored copy; the address carries plotly's version, so a new one is fetched anew.
function plotly(src) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!loading[src]) {
    loading[src] = fetch(src, { cache: "force-cache" })
      .then((response) => {
        if (!response.ok) throw new Error(`${src}: HTTP ${response.status}`);
        return response.blob();
      })
      .then((code) => new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = URL.createObjectURL(code.slice(0, code.size, "text/javascript"));
        script.onload = () => resolve(window.Plotly);
        script.onerror = () => reject(new Error(`${src} did not run`));
        document.head.appendChild(script);
      }))
      .catch((err) => {
        delete loading[src];  // the next rerun tries again
        throw err;
      });
  }
  return loading[src];
}

// The app's own address (it may sit below a path, server.baseUrlPath), from where
// Streamlit loaded its scripts; the page's address can carry a page name or query.
function appBase() {
  const own = document.querySelector('script[src*="/static/js/"]');
  return own ? own.src.slice(0, own.src.indexOf("static/js/")) : document.baseURI;
}

const EXPAND = {  // four corners pointing out
  width: 1000, height: 1000,
  path: "M0 0h400v120H120v280H0zM600 0h400v400H880V120H600zM0 600h120v280h280v120H0z" +
        "M880 600h120v400H600V880h280z",
};

// One button list per pair of labels, reused: Plotly.react compares the config, and a
// new button (a new click function) would count as a new config and redraw from scratch.
// So the download's file name is read from the plot div at click time, not kept here.
const buttons = {};

function modebarButtons(Plotly, fullscreen, download) {
  const key = fullscreen + "\n" + download;
  if (!buttons[key]) {
    buttons[key] = [{
      name: "sgdlab-download", title: download, icon: Plotly.Icons.camera,
      click: (gd) => {
        // The figure as it stands, without ▶/⏸ and the step slider (and the bottom margin
        // they sat in, down to room for the axis title): a picture for a slide.
        const full = gd._fullLayout;
        const cut = Math.max(0, full.margin.b - 80);
        const layout = { ...gd.layout, updatemenus: [], sliders: [],
                         margin: { ...gd.layout.margin, b: full.margin.b - cut } };
        const size = { width: full.width, height: full.height - cut };
        Plotly.downloadImage({ data: gd.data, layout }, { ...gd.sgdlabImage, ...size })
          .catch((err) => console.warn("sgdlab download:", err));
      },
    }, {
      name: "sgdlab-fullscreen", title: fullscreen, icon: EXPAND,
      click: (gd) => {
        if (document.fullscreenElement) document.exitFullscreen();
        else if (gd.requestFullscreen) gd.requestFullscreen();
      },
    }];
  }
  return buttons[key];
}

// plotly.js's own words (toolbar tooltips, hints) in Chinese: plotly.py ships no locale
// files, and a Chinese page showed "Zoom", "Pan", "Reset axes". Python sets
// config.locale to "zh-CN" on a Chinese page.
const ZH_CN = {
  "Autoscale": "自动缩放", "Box Select": "框选", "Lasso Select": "套索选择",
  "Compare data on hover": "悬停时比较数据", "Show closest data on hover": "悬停时显示最近的数据",
  "Toggle show closest data on hover": "切换悬停显示最近的数据",
  "Toggle Spike Lines": "切换辅助线", "Download plot as a png": "下载 PNG 图片",
  "Download plot": "下载图片", "Pan": "平移", "Reset": "重置", "Reset axes": "重置坐标轴",
  "Reset view": "重置视图", "Reset views": "重置视图", "Zoom": "缩放", "Zoom in": "放大",
  "Zoom out": "缩小", "Produced with Plotly.js": "由 Plotly.js 生成",
  "Double-click to zoom back out": "双击恢复原来的缩放",
  "Double-click on legend to isolate one trace": "双击图例只显示这一项",
  "Taking snapshot - this may take a few seconds": "正在生成图片,可能需要几秒钟",
  "Snapshot succeeded": "图片已生成",
  "Sorry, there was a problem downloading your snapshot!": "抱歉,下载图片时出了问题!",
};

function registerLocales(Plotly) {
  if (Plotly.sgdlabLocales) return;
  Plotly.sgdlabLocales = true;
  Plotly.register({ moduleType: "locale", name: "zh-CN", dictionary: ZH_CN });
}

async function draw(Plotly, gd, figure) {
  registerLocales(Plotly);
  gd.sgdlabQuiet = true;  // what happens while a new figure goes in is not the reader's
  try {
    // A new figure while ▶ plays: stop the old run's frames first, or they go on
    // playing (and end) over the new run.
    const queued = gd._transitionData && gd._transitionData._frameQueue;
    if (queued && queued.length) {
      await Plotly.animate(gd, [null], { mode: "immediate", frame: { duration: 0 },
                                          transition: { duration: 0 } }).catch(() => {});
    }
    return await Plotly.react(gd, figure);
  } finally {
    gd.sgdlabQuiet = false;
    gd.sgdlabPending = false;
    document.body.classList.remove("sgdlab-playing");  // a new figure: nothing plays
    unfollow();  // the page's own numbers, drawn by now for the figure's step, show again
  }
}

// While ▶ plays, the page's metrics row and log line follow the frames. Streamlit drew
// them for the step box's step; each frame's values (Python's readouts, the same
// formatting) go into an attribute that the page's CSS (live_chart.PLAYING_CSS) shows
// in their place while the body has FOLLOW. Streamlit's own text is never touched: once
// a new figure is drawn, or Streamlit redraws any of that text (the rerun after a
// pause, a new setting), the attributes go and its text shows again.
const FOLLOW = "sgdlab-following";
const SLOTS = '[data-testid="stMetricValue"] [data-testid="stMarkdownContainer"], ' +
  '[data-testid="stCode"] code';
const watched = new WeakSet();

function unfollow() {
  document.body.classList.remove(FOLLOW);
  for (const el of document.querySelectorAll("[data-sgdlab-value]")) {
    el.removeAttribute("data-sgdlab-value");
  }
}

function follow(gd, name) {
  const values = gd.sgdlabReadouts && gd.sgdlabReadouts[name];
  const view = document.querySelector(`.st-key-${gd.sgdlabStepView}`);
  if (!values || !view) return;
  const slots = view.querySelectorAll(SLOTS);
  if (slots.length !== values.length) return;  // not the page these values describe
  slots.forEach((el, i) => el.setAttribute("data-sgdlab-value", values[i]));
  document.body.classList.add(FOLLOW);
  if (!watched.has(view)) {  // Streamlit's text changed: it describes the page's step now
    watched.add(view);
    new MutationObserver(unfollow).observe(view, { childList: true, characterData: true,
                                                   subtree: true });
  }
}

// The figure as drawn at this width: on a narrow screen its panels stack (Python's
// figure.narrow: a layout patch, the log line's type size and where the step slider and
// play buttons sit). The figure as sent is kept for a later resize.
function arranged(figure, width, narrowPx) {
  const { narrow, ...rest } = figure;
  if (!narrow || !width || width >= narrowPx) return rest;
  const layout = { ...rest.layout };
  for (const [key, value] of Object.entries(narrow.layout)) {
    const plain = value && typeof value === "object" && !Array.isArray(value);
    layout[key] = plain && layout[key] ? { ...layout[key], ...value } : value;
  }
  for (const [key, y] of Object.entries(narrow.menus_y)) {
    layout[key] = (layout[key] || []).map((menu) => ({ ...menu, y }));
  }
  const data = rest.data.map((trace) => (trace.meta && trace.meta.role === "readout"
    ? { ...trace, textfont: { ...trace.textfont, size: narrow.readout_size } } : trace));
  return { ...rest, layout, data };
}

// While a figure is drawn anew, numbers that followed playback show its step (the
// slider's); when it is drawn, Streamlit's own, which came with it, show again. Dropped
// at once, they flashed the step before the pause.
function followFigure(gd, figure) {
  if (!document.body.classList.contains(FOLLOW)) return;
  const shown = shownStep(figure);
  if (shown !== undefined) follow(gd, shown); else unfollow();
}

// The step a figure opens on: its step slider's (frames are named by their step).
function shownStep(figure) {
  const slider = figure && (figure.layout.sliders || [])[0];
  const step = slider && slider.steps[slider.active];
  return step ? step.label : undefined;
}

// Where playback stops (⏸, the end, or the figure's own step slider), the page's step
// follows: the step box, metrics, table and link then describe the frame on screen.
// Frames are named by their step. Sent once things rest, not for every frame.
function followPlayback(gd) {
  if (gd.sgdlabFollowing || !gd.on) return;
  gd.sgdlabFollowing = true;
  let timer = null;
  const rest = () => {
    if (gd.sgdlabQuiet || gd.sgdlabFrame === undefined) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      document.body.classList.remove("sgdlab-playing");
      // Stopped on the step the page describes (as at the end of a run opened on its
      // last step): Streamlit's numbers are right as they stand, and no new figure comes.
      if (gd.sgdlabFrame === shownStep(gd.sgdlabFigure)) unfollow();
      const step = Number(gd.sgdlabFrame);
      if (Number.isInteger(step) && gd.sgdlabSend) gd.sgdlabSend("stopped", step);
    }, 300);
  };
  gd.on("plotly_animatingframe", (event) => {
    if (gd.sgdlabPending) return;  // the old figure's last frames, as a new one comes in
    gd.sgdlabFrame = event.name;
    document.body.classList.add("sgdlab-playing");  // the table fades meanwhile
    follow(gd, event.name);  // and the metrics and the log line follow
    // Still playing: ×2 or ▶ pressed mid-play interrupts one animation and starts the
    // next. A report sent then reran the page, and the new figure stopped playback.
    clearTimeout(timer);
  });
  gd.on("plotly_animated", rest);
  gd.on("plotly_animationinterrupted", rest);
  gd.on("plotly_buttonclicked", (event) => playFaster(gd, event.button));
}

// The speed buttons (×2, ×4) and ▷ Resume go on from the frame on screen, or from the
// first when the last is shown (as when the page opens). Python's figure has them play
// from the first frame (resume: from plotly's current frame), which is what they do in
// an exported file; here they are told not to run that (execute: false) and this plays
// them instead. Plotly's own resume had started again from step 1 after the step box
// set the figure's step: a new figure has no current frame (a reviewer).
const SPEED = "sgdlab-speed";

function speedButtonsHere(figure) {
  for (const menu of figure.layout.updatemenus || []) {
    for (const button of menu.buttons || []) {
      if (button.name === SPEED) button.execute = false;
    }
  }
}

function playFaster(gd, button) {
  if (!button || button.name !== SPEED) return;
  const names = ((gd._transitionData && gd._transitionData._frames) || []).map((f) => f.name);
  const slider = (gd._fullLayout.sliders || [])[0];
  let from = names.indexOf(gd.sgdlabFrame);
  if (from < 0) from = slider ? slider.active : 0;
  if (!(from >= 0 && from < names.length - 1)) from = 0;
  window.Plotly.animate(gd, names.slice(from), { ...button.args[1], fromcurrent: false })
    .catch(() => {});
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let gd = parentElement.querySelector(".sgdlab-live-chart");
  if (!gd) {
    gd = document.createElement("div");
    gd.className = "sgdlab-live-chart";
    parentElement.appendChild(gd);
  }
  // bytes from Python arrive as a Uint8Array
  const { src, failed, fullscreen, download, image, figure, narrow_px: narrowPx, loading,
          readouts, step_view: stepView } = JSON.parse(new TextDecoder().decode(data));
  if (!gd._fullLayout && !gd.textContent) {
    // plotly.js (3.5 MB) is still on its way on a first visit: hold the figure's place
    // and say so, rather than a blank that the page then jumps over
    gd.textContent = loading;
    // as tall as the figure will be at this width (stacked on a narrow screen: taller)
    const stacked = figure.narrow && gd.offsetWidth > 0 && gd.offsetWidth < narrowPx;
    const height = stacked ? figure.narrow.layout.height : figure.layout.height;
    gd.style.minHeight = `${height || 600}px`;
  }
  gd.sgdlabImage = image;  // what the download button saves: name, format, scale
  gd.sgdlabReadouts = readouts;  // the page's numbers for each frame (see follow)
  gd.sgdlabPending = true;  // until the new figure is drawn (see draw)
  gd.sgdlabStepView = stepView;
  gd.sgdlabSend = setTriggerValue;
  // Newest wins: a figure that arrives while plotly.js loads replaces the waiting one.
  gd.sgdlabNext = figure;
  plotly(new URL(src, appBase()).href).then((Plotly) => {
    const next = gd.sgdlabNext;
    if (!next) return undefined;
    gd.sgdlabNext = null;
    next.config.modeBarButtonsToAdd = modebarButtons(Plotly, fullscreen, download);
    speedButtonsHere(next);
    if (!gd._fullLayout) gd.textContent = "";  // the loading line goes; the figure comes
    gd.style.minHeight = "";
    gd.sgdlabFigure = next;  // as sent: a resize across the narrow width arranges it anew
    const narrowNow = () => gd.offsetWidth > 0 && gd.offsetWidth < narrowPx;
    if (!gd.sgdlabResize) {  // the sidebar opening or closing resizes no window
      let width = gd.offsetWidth;
      gd.sgdlabResize = new ResizeObserver(() => {
        if (gd.offsetWidth === width || !gd.offsetWidth || !gd._fullLayout) return;
        width = gd.offsetWidth;
        if (narrowNow() !== gd.sgdlabNarrow) {
          gd.sgdlabNarrow = narrowNow();
          followFigure(gd, gd.sgdlabFigure);
          draw(Plotly, gd, arranged(gd.sgdlabFigure, width, narrowPx))
            .catch((err) => console.error("sgdlab live chart:", err));
        } else {
          Plotly.Plots.resize(gd);
        }
      });
      gd.sgdlabResize.observe(gd);
    }
    gd.sgdlabFrame = undefined;  // a new figure: nothing has played yet
    gd.sgdlabNarrow = narrowNow();
    followFigure(gd, next);
    return draw(Plotly, gd, arranged(next, gd.offsetWidth, narrowPx))
      .then(() => followPlayback(gd))
      .catch((err) => console.error("sgdlab live chart:", err));
  }, (err) => {  // plotly.js did not load: say so where the chart would be
    console.warn("sgdlab live chart:", err);
    gd.textContent = failed;
    gd.style.minHeight = "";
  });
}
