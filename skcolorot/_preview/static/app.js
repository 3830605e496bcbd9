// skcolorot preview: the page's controls talk to the local server (no library, no CDN).
"use strict";

const $ = (id) => document.getElementById(id);
const SLIDERS = ["t", "luminance", "intensity", "neutralize", "detail"];
const state = { method: "sliced", t: 1, luminance: 1, intensity: 1, neutralize: 0, detail: 1 };
let info = null;
let inFlight = false;   // one render at a time; the latest settings win
let pending = false;
let afterUrl = null;

function query(extra) {
  const params = new URLSearchParams();
  for (const key of Object.keys(state)) params.set(key, state[key]);
  for (const [key, value] of Object.entries(extra || {})) params.set(key, value);
  return params.toString();
}

function status(text) { $("status").textContent = text; }

async function render() {
  if (inFlight) { pending = true; return; }
  inFlight = true;
  pending = false;
  const started = performance.now();
  try {
    const response = await fetch("api/render.jpg?" + query());
    if (!response.ok) throw new Error((await response.json()).error);
    const blob = await response.blob();
    const url = URL.createObjectURL(blob);
    await new Promise((resolve) => { $("after").onload = resolve; $("after").src = url; });
    if (afterUrl) URL.revokeObjectURL(afterUrl);
    afterUrl = url;
    const server = response.headers.get("X-Render-Ms");
    $("timing").textContent = `slider to picture: ${Math.round(performance.now() - started)} ms (server ${server} ms)`;
    document.body.dataset.rendered = String(Number(document.body.dataset.rendered || 0) + 1);
    status("ready");
  } catch (error) {
    status("error: " + error.message);
  }
  inFlight = false;
  if (pending) render(); else refreshSide();
}

async function refreshSide() {
  const q = query();
  $("cube").href = "export.cube?" + q;
  $("image").href = "export/image?" + query({ format: $("format").value });
  const [curves, command] = await Promise.all([
    fetch("api/curves?" + q).then((r) => r.json()),
    fetch("api/command?" + q).then((r) => r.json()),
  ]);
  drawCurves(curves);
  $("command").textContent = command.lut + "\n\n" + command.transfer;
  $("note").textContent = command.note || "";
}

function drawCurves(curves) {
  const svg = $("curves");
  const colours = { r: "#ff5c5c", g: "#5cd65c", b: "#5c9dff" };
  let body = '<line x1="0" y1="100" x2="100" y2="0" stroke="#555" stroke-width="0.5"/>';
  for (const channel of ["r", "g", "b"]) {
    const points = curves.x.map((x, i) => `${(100 * x).toFixed(2)},${(100 - 100 * curves[channel][i]).toFixed(2)}`);
    body += `<polyline fill="none" stroke="${colours[channel]}" stroke-width="1" vector-effect="non-scaling-stroke" points="${points.join(" ")}"/>`;
  }
  svg.innerHTML = body;
}

function setDivider(fraction) {
  const percent = Math.min(100, Math.max(0, 100 * fraction));
  $("after").style.clipPath = `inset(0 0 0 ${percent}%)`;
  $("divider").style.left = percent + "%";
  $("divider").setAttribute("aria-valuenow", Math.round(percent));
}

function setupDivider() {
  const view = $("view");
  let dragging = false;
  const move = (event) => {
    const box = view.getBoundingClientRect();
    setDivider((event.clientX - box.left) / box.width);
  };
  view.addEventListener("pointerdown", (event) => { dragging = true; view.setPointerCapture(event.pointerId); move(event); });
  view.addEventListener("pointermove", (event) => { if (dragging) move(event); });
  view.addEventListener("pointerup", () => { dragging = false; });
  $("divider").addEventListener("keydown", (event) => {
    const now = Number($("divider").getAttribute("aria-valuenow"));
    if (event.key === "ArrowLeft") setDivider((now - 5) / 100);
    if (event.key === "ArrowRight") setDivider((now + 5) / 100);
  });
}

function syncControls() {
  $("method").value = state.method;
  for (const key of SLIDERS) {
    $(key).value = state[key];
    document.querySelector(`output[for="${key}"]`).textContent = Number(state[key]).toFixed(2);
  }
  for (const figure of document.querySelectorAll("#candidates figure")) {
    figure.classList.toggle("selected", figure.dataset.method === state.method &&
      Number(figure.dataset.detail) === Number(state.detail));
  }
}

async function loadCandidates() {
  const strip = $("candidates");
  strip.innerHTML = "";
  for (const method of info.methods) {
    for (const detail of [0, 1]) {
      const figure = document.createElement("figure");
      figure.dataset.method = method;
      figure.dataset.detail = detail;
      figure.innerHTML = `<img alt="${method}${detail ? " + regrain" : ""}"><figcaption>${method}${detail ? " + regrain" : ""}</figcaption>`;
      figure.addEventListener("click", () => {
        state.method = method; state.detail = detail; syncControls(); render();
      });
      strip.appendChild(figure);
    }
  }
  // One after the other: each method is fitted once, and the main picture comes first.
  for (const figure of strip.querySelectorAll("figure")) {
    const q = query({ method: figure.dataset.method, detail: figure.dataset.detail, t: 1, luminance: 1, intensity: 1, neutralize: 0 });
    await new Promise((resolve) => {
      const img = figure.querySelector("img");
      img.onload = resolve; img.onerror = resolve;
      img.src = "api/candidate.jpg?" + q;
    });
  }
}

async function upload(role, file) {
  status("reading " + file.name + "…");
  const response = await fetch("api/upload?role=" + role, {
    method: "POST", body: file, headers: { "X-Filename": file.name },
  });
  const reply = await response.json();
  if (!response.ok) { status("error: " + reply.error); return false; }
  info = reply;
  return true;
}

function setupUploads() {
  $("upload-source").addEventListener("change", async (event) => {
    if (event.target.files.length && await upload("source", event.target.files[0])) restart();
  });
  $("upload-reference").addEventListener("change", async (event) => {
    const files = [...event.target.files];
    for (let i = 0; i < files.length; i++) {
      if (!await upload(i ? "add-reference" : "reference", files[i])) return;
    }
    if (files.length) restart();
  });
}

function restart() {
  const base = (path) => path.split(/[\\/]/).pop();
  $("names").textContent = base(info.names[0]) + " → " + info.names.slice(1).map(base).join(" + ");
  $("before").src = "api/before.jpg?nocache=" + Date.now();
  status("fitting…");
  render().then(loadCandidates);
}

async function main() {
  info = await (await fetch("api/info")).json();
  Object.assign(state, info.defaults);
  for (const method of info.methods) $("method").add(new Option(method, method));
  syncControls();
  setupDivider();
  setupUploads();
  $("method").addEventListener("change", () => { state.method = $("method").value; status("fitting…"); syncControls(); render(); });
  for (const key of SLIDERS) {
    $(key).addEventListener("input", () => { state[key] = Number($(key).value); syncControls(); render(); });
  }
  $("format").addEventListener("change", refreshSide);
  $("measure").addEventListener("click", async () => {
    $("measures").textContent = "measuring…";
    const m = await (await fetch("api/measures?" + query())).json();
    $("measures").textContent = m.error ? m.error :
      `colour fidelity ${m.color_fidelity.toFixed(3)} (0 = the reference's colours), luminance SSIM ${m.luminance_ssim.toFixed(3)} (1 = all detail kept)`;
  });
  restart();
}

main();
