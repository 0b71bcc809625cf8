// Numbers written exactly as Python's format() writes them, and the geometry of the live
// view's moving marks: the browser redraws runs that Python described, and the page's
// numbers must not change by a digit when the server's own arrive.
//
// Python rounds half to even on the exact binary value; JavaScript's toFixed rounds ties
// away from zero. Ties are real here (0.125 is a float32), so rounding is done on the
// exact decimal expansion (toExponential(100) is exact for every double of our range).

function expansion(v) {
  // |v| as its decimal digits and the exponent of the first: v = 0.D * 10^(exp + 1)
  const [mant, e] = Math.abs(v).toExponential(100).split("e");
  return { digits: mant.replace(".", ""), exp: Number(e) };
}

function roundDigits(digits, keep) {
  // The first `keep` digits rounded half to even on the rest; [kept digits, carried?]
  if (keep <= 0) {
    // rounding before the first digit: up only if the digits are above one half
    const above = keep === 0 && (digits[0] > "5" || (digits[0] === "5" && /[1-9]/.test(digits.slice(1))));
    return [above ? "1" : "0", above];
  }
  const head = digits.slice(0, keep).padEnd(keep, "0");
  const rest = digits.slice(keep);
  let up = false;
  if (rest.length) {
    if (rest[0] > "5") up = true;
    else if (rest[0] === "5") {
      up = /[1-9]/.test(rest.slice(1)) || (Number(head[head.length - 1]) % 2 === 1);
    }
  }
  if (!up) return [head, false];
  const out = head.split("");
  let i = out.length - 1;
  while (i >= 0 && out[i] === "9") { out[i] = "0"; i -= 1; }
  if (i < 0) return ["1" + out.join(""), true];
  out[i] = String(Number(out[i]) + 1);
  return [out.join(""), false];
}

function negative(v) { return v < 0 || Object.is(v, -0); }

function special(v) {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v < 0 ? "-inf" : "inf";
  return null;
}

// Python's f"{v:.{d}f}" (and f"{v: .{d}f}" with sign=" ").
export function fixed(v, d, sign = "") {
  const s = special(v);
  if (s !== null) return (s[0] === "-" ? "" : sign) + s;
  let n = "0";  // round(|v| * 10^d), half to even, as a digit string
  if (v !== 0) {
    const { digits, exp } = expansion(v);
    n = roundDigits(digits, exp + 1 + d)[0];
  }
  n = n.padStart(d + 1, "0");
  const body = d ? n.slice(0, n.length - d) + "." + n.slice(n.length - d) : n;
  return (negative(v) ? "-" : sign) + body;
}

// Python's f"{v:.{p}g}", or f"{v:#.{p}g}" with alt (trailing zeros and the point kept).
export function general(v, p, alt = false) {
  const s = special(v);
  if (s !== null) return s;
  p = Math.max(p, 1);
  const sign = negative(v) ? "-" : "";
  let digits;
  let exp;
  if (v === 0) { digits = "0".repeat(p); exp = 0; }
  else {
    const e = expansion(v);
    const [kept, carried] = roundDigits(e.digits, p);
    exp = e.exp + (carried ? 1 : 0);
    digits = kept.slice(0, p).padEnd(p, "0");
  }
  const join = (whole, frac) => {
    const f = alt ? frac : frac.replace(/0+$/, "");
    return alt || f ? `${whole}.${f}` : whole;
  };
  let body;
  if (exp >= -4 && exp < p) {
    const intLen = exp + 1;
    body = intLen > 0 ? join(digits.slice(0, intLen), digits.slice(intLen))
      : join("0", "0".repeat(-intLen) + digits);
  } else {
    const ee = Math.abs(exp) < 10 ? "0" + Math.abs(exp) : String(Math.abs(exp));
    body = join(digits[0], digits.slice(1)) + "e" + (exp < 0 ? "-" : "+") + ee;
  }
  return sign + body;
}

// sgdlab.i18n.sig3: three significant digits as a reader writes them (1.00, 12.2, 150).
export function sig3(v) {
  const text = general(v, 3, true);
  return text.endsWith(".") ? text.slice(0, -1) : text;
}

// The metrics row's a and b: four decimals, or three significant digits once large.
export function coefficient(v) {
  return Math.abs(v) < 1e4 ? fixed(v, 4) : general(v, 3);
}

// The notebook's printed line (sgdlab.figures.fit.notebook_line).
export function notebookLine(step, loss, a, b) {
  return `Step ${step}, Loss: ${fixed(loss, 2, " ")}; Result: y = ${fixed(a, 2)} * x + ${fixed(b, 2)}`;
}

// sgdlab.figures.params.exit_point: where start -> end (outside box) crosses its edge.
export function exitPoint(start, end, box) {
  let t = 1;
  for (const [p, d, [lo, hi]] of [[start[0], end[0] - start[0], box[0]],
                                  [start[1], end[1] - start[1], box[1]]]) {
    if (d > 0) t = Math.min(t, (hi - p) / d);
    else if (d < 0) t = Math.min(t, (lo - p) / d);
  }
  return [start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1])];
}

// sgdlab.figures.params.marker: the current (a, b), or an arrow on the box's edge where
// the path left it. prev is (a, b) one step before (the start (0, 0) at step 1).
export function marker(ab, prev, box) {
  const [a, b] = ab;
  const [[a0, a1], [b0, b1]] = box;
  const inside = (p) => a0 <= p[0] && p[0] <= a1 && b0 <= p[1] && p[1] <= b1;
  if (!Number.isFinite(a) || !Number.isFinite(b) || inside(ab)) {
    return { x: a, y: b, arrow: false, angle: 0 };
  }
  const start = inside(prev) ? prev : [(a0 + a1) / 2, (b0 + b1) / 2];
  let [x, y] = exitPoint(start, ab, box);
  const pa = 0.03 * (a1 - a0);
  const pb = 0.04 * (b1 - b0);
  x = Math.min(Math.max(x, a0 + pa), a1 - pa);
  y = Math.min(Math.max(y, b0 + pb), b1 - pb);
  const angle = (Math.atan2((a - start[0]) / (a1 - a0), (b - start[1]) / (b1 - b0)) * 180) / Math.PI;
  return { x, y, arrow: true, angle: Math.round(angle * 10) / 10 };
}

// sgdlab.history.total_loss_fn: the whole-data loss at (a, b), the same operations in the
// same order, so the same double.
export function totalLoss(a, b, stats) {
  const [mx, my, sxx, sxy, syy] = stats;
  const r = a * mx + b - my;
  return syy - 2 * a * sxy + a * a * sxx + r * r;
}

// numpy's linspace(0, len - 1, num).astype(int): which of a long batch's points are drawn.
export function thinned(len, num) {
  if (len <= num) return null;
  const step = (len - 1) / (num - 1);
  const out = new Array(num);
  for (let i = 0; i < num - 1; i += 1) out[i] = Math.trunc(i * step);
  out[num - 1] = len - 1;
  return out;
}

// sgdlab.figures.live's frame pace: the whole run in about 8 s at speed 1.
export function frameDuration(frames, speed = 1) {
  return Math.trunc(Math.max(16, Math.min(400, Math.max(40, 8000 / Math.max(frames, 1))) / speed));
}
