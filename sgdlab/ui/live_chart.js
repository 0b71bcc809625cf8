// sgdlab's live figure: one plotly div that Plotly.react redraws in place.
//
// Python (sgdlab/ui/live_chart.py) sends UTF-8 JSON bytes: {"src": plotly.js's path
// below the app's address, "failed": what to say if it cannot load, "figure": {data,
// layout, frames, config}}. The component has a key, so its div outlives reruns and
// a new figure costs one Plotly.react, not a new chart drawn twice.
const loading = {};

function plotly(src) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!loading[src]) {
    loading[src] = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => {
        delete loading[src];  // the next rerun tries again
        reject(new Error("could not load " + src));
      };
      document.head.appendChild(script);
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

function decode(data) {
  if (typeof data === "string") return JSON.parse(data);
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    return JSON.parse(new TextDecoder().decode(data));
  }
  return data;
}

export default function (component) {
  const { data, parentElement } = component;
  let gd = parentElement.querySelector(".sgdlab-live-chart");
  if (!gd) {
    gd = document.createElement("div");
    gd.className = "sgdlab-live-chart";
    parentElement.appendChild(gd);
  }
  const { src, failed, figure } = decode(data);
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
    return Plotly.react(gd, next);
  }).catch((err) => {
    console.warn("sgdlab live chart:", err);
    gd.textContent = failed;
  });
}
