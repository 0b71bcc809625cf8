// sgdlab's live figure: one plotly div that Plotly.react redraws in place.
//
// Python (sgdlab/ui/live_chart.py) sends UTF-8 JSON bytes: {"src": plotly.js's path
// below the app's address, "failed": what to say if it cannot load, "fullscreen":
// the full-screen button's label, "figure": {data, layout, frames, config}}. The
// component has a key, so its div outlives reruns and a new figure costs one
// Plotly.react, not a new chart drawn twice.
const loading = {};

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

// One button list per label, reused: Plotly.react compares the config, and a new
// button (a new click function) would count as a new config and redraw from scratch.
const buttons = {};

function fullscreenButtons(label) {
  if (!buttons[label]) {
    buttons[label] = [{
      name: "sgdlab-fullscreen", title: label, icon: EXPAND,
      click: (gd) => {
        if (document.fullscreenElement) document.exitFullscreen();
        else if (gd.requestFullscreen) gd.requestFullscreen();
      },
    }];
  }
  return buttons[label];
}

async function draw(Plotly, gd, figure) {
  // A new figure while ▶ plays: stop the old run's frames first, or they go on
  // playing (and end) over the new run.
  const queued = gd._transitionData && gd._transitionData._frameQueue;
  if (queued && queued.length) {
    await Plotly.animate(gd, [null], { mode: "immediate", frame: { duration: 0 },
                                        transition: { duration: 0 } }).catch(() => {});
  }
  return Plotly.react(gd, figure);
}

export default function (component) {
  const { data, parentElement } = component;
  let gd = parentElement.querySelector(".sgdlab-live-chart");
  if (!gd) {
    gd = document.createElement("div");
    gd.className = "sgdlab-live-chart";
    parentElement.appendChild(gd);
  }
  // bytes from Python arrive as a Uint8Array
  const { src, failed, fullscreen, figure } = JSON.parse(new TextDecoder().decode(data));
  figure.config.modeBarButtonsToAdd = fullscreenButtons(fullscreen);
  // Newest wins: a figure that arrives while plotly.js loads replaces the waiting one.
  gd.sgdlabNext = figure;
  plotly(new URL(src, appBase()).href).then((Plotly) => {
    const next = gd.sgdlabNext;
    if (!next) return undefined;
    gd.sgdlabNext = null;
    if (!gd.sgdlabResize) {  // the sidebar opening or closing resizes no window
      let width = gd.offsetWidth;
      gd.sgdlabResize = new ResizeObserver(() => {
        if (gd.offsetWidth === width || !gd.offsetWidth || !gd._fullLayout) return;
        width = gd.offsetWidth;
        Plotly.Plots.resize(gd);
      });
      gd.sgdlabResize.observe(gd);
    }
    return draw(Plotly, gd, next).catch((err) => console.error("sgdlab live chart:", err));
  }, (err) => {  // plotly.js did not load: say so where the chart would be
    console.warn("sgdlab live chart:", err);
    gd.textContent = failed;
  });
}
