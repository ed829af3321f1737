// The dashboard page: one EventSource on /api/stream; every string from the events goes into the
// page as text (textContent, attribute values), never as HTML.
"use strict";

const meshes = new Map(); // meshId -> view
let stages = ["vms", "kubernetes", "cni", "loadbalancer", "ports", "mesh"];

const $ = (id) => document.getElementById(id);

/** An element; string or number children become text nodes, attributes are set as values. */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined) node.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** Milliseconds since the epoch of an Instant as Jackson writes it (ISO text or seconds). */
function millis(t) {
  if (t === null || t === undefined) return null;
  return typeof t === "number" ? t * 1000 : Date.parse(t);
}

function duration(ms) {
  if (ms === null || ms === undefined || isNaN(ms)) return "";
  ms = Math.max(0, ms);
  if (ms < 1000) return ms + " ms";
  const s = ms / 1000;
  if (s < 60) return s.toFixed(1) + " s";
  const m = Math.floor(s / 60);
  if (m < 60) return m + " min " + Math.floor(s % 60) + " s";
  const h = Math.floor(m / 60);
  if (h < 48) return h + " h " + (m % 60) + " min";
  return Math.floor(h / 24) + " d " + (h % 24) + " h";
}

function label(state) {
  return String(state).replace("_", " ").toLowerCase();
}

function badge(state) {
  return el("span", { class: "badge s-" + state, "data-state": state }, label(state));
}

function selectedId() {
  const m = location.hash.match(/^#\/mesh\/(.+)$/);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch (e) {
    return null;
  }
}

function meshHref(id) {
  return "#/mesh/" + encodeURIComponent(id);
}

function age(view) {
  const from = millis(view.requestedAt) ?? millis(view.updatedAt);
  return duration(Date.now() - from);
}

function renderList() {
  const filter = $("filter").value.trim().toLowerCase();
  const selected = selectedId();
  const rows = [];
  const newestFirst = [...meshes.values()].sort(
    (a, b) => (millis(b.requestedAt) ?? millis(b.updatedAt)) - (millis(a.requestedAt) ?? millis(a.updatedAt))
  );
  for (const view of newestFirst) {
    if (filter && !view.meshId.toLowerCase().includes(filter)) continue;
    const row = el(
      "tr",
      { "data-mesh": view.meshId, class: view.meshId === selected ? "selected" : null },
      el("td", {}, el("a", { href: meshHref(view.meshId) }, view.meshId)),
      el("td", {}, badge(view.state)),
      el("td", { class: "age" }, age(view)),
      el("td", {}, view.clusters.length)
    );
    row.addEventListener("click", () => (location.hash = meshHref(view.meshId)));
    rows.push(row);
  }
  $("meshes").tBodies[0].replaceChildren(...rows);
  $("no-meshes").hidden = meshes.size > 0;
}

function cellNode(cluster, cell) {
  const start = millis(cell.startedAt);
  const end = millis(cell.endedAt);
  const took = start === null ? null : (end ?? Date.now()) - start;
  return el(
    "td",
    { class: "cell", "data-cluster": cluster, "data-stage": cell.stage, "data-state": cell.state,
      title: cell.message || null },
    el("span", { class: "dur" }, duration(took)),
    el("div", { class: "state" + (cell.state === "RUNNING" ? " running" : "") }, label(cell.state)),
    el("div", { class: "msg" }, cell.message || "")
  );
}

function renderDetail() {
  const id = selectedId();
  const detail = $("detail");
  if (id === null) {
    detail.replaceChildren(el("p", { class: "hint" }, "Choose a mesh on the left, or open one by ID."));
    return;
  }
  const view = meshes.get(id);
  if (!view) {
    detail.replaceChildren(
      el("h2", {}, el("span", { id: "mesh-id" }, id)),
      el("p", { class: "hint", id: "mesh-missing" }, "No events of mesh " + id + " yet; waiting for them.")
    );
    return;
  }
  const ended = millis(view.endedAt);
  const meta = ["requested " + age(view) + " ago"];
  if (ended !== null && view.requestedAt) meta.push("took " + duration(ended - millis(view.requestedAt)));
  if (view.message) meta.push(view.message);

  const grid = el(
    "table",
    { class: "grid", id: "grid" },
    el("thead", {}, el("tr", {}, el("th", { class: "cluster" }, "Cluster"), stages.map((s) => el("th", {}, s)))),
    el(
      "tbody",
      {},
      view.clusters.map((c) =>
        el("tr", { "data-cluster": c.name }, el("td", { class: "cluster" }, c.name), c.cells.map((cell) => cellNode(c.name, cell)))
      )
    )
  );

  const parts = [
    el("h2", {}, el("span", { id: "mesh-id" }, view.meshId), el("span", { id: "mesh-state" }, badge(view.state))),
    el("p", { class: "meta" }, meta.join(" · ")),
    grid,
  ];
  if (view.failures.length) {
    parts.push(
      el("h3", {}, "Failures"),
      el(
        "table",
        { class: "failures", id: "failures" },
        el("thead", {}, el("tr", {}, ["Cluster", "Stage", "Code", "Reason", "Retry may help"].map((h) => el("th", {}, h)))),
        el(
          "tbody",
          {},
          view.failures.map((f) =>
            el(
              "tr",
              { "data-stage": f.stage },
              el("td", {}, f.cluster ?? "(mesh)"),
              el("td", { class: "stage" }, f.stage),
              el("td", { class: "code" }, f.code),
              el("td", { class: "reason" }, f.reason),
              el("td", {}, f.retryable === null || f.retryable === undefined ? "unknown" : f.retryable ? "yes" : "no")
            )
          )
        )
      )
    );
  }
  if (view.nodeTable.length) {
    parts.push(
      el("h3", {}, "Who sees whom"),
      el(
        "table",
        { class: "nodes", id: "nodes" },
        el("thead", {}, el("tr", {}, ["Cluster", "ID", "Nodes", "Mesh endpoint", "Sees"].map((h) => el("th", {}, h)))),
        el(
          "tbody",
          {},
          view.nodeTable.map((c) =>
            el(
              "tr",
              { "data-cluster": c.name },
              el("td", {}, c.name),
              el("td", {}, c.id),
              el("td", {}, c.nodes.join(", ")),
              el("td", {}, c.meshEndpointIp),
              el("td", { class: "sees" }, c.remoteNodes.map((r) => r.cluster + ": " + r.nodes.join(", ")).join("; "))
            )
          )
        )
      )
    );
  }
  detail.replaceChildren(...parts);
}

function render() {
  renderList();
  renderDetail();
}

function connect() {
  const source = new EventSource("api/stream");
  const status = $("connection");
  source.addEventListener("snapshot", (e) => {
    const data = JSON.parse(e.data);
    stages = data.stages;
    meshes.clear();
    for (const view of data.meshes) meshes.set(view.meshId, view);
    status.dataset.state = "live";
    status.textContent = "live";
    render();
  });
  source.addEventListener("mesh", (e) => {
    const view = JSON.parse(e.data);
    meshes.set(view.meshId, view);
    render();
  });
  source.onerror = () => {
    status.dataset.state = "lost";
    status.textContent = "reconnecting…";
  };
}

$("filter").addEventListener("input", renderList);
$("filter").addEventListener("keydown", (e) => {
  const id = $("filter").value.trim();
  if (e.key === "Enter" && id) location.hash = meshHref(id);
});
window.addEventListener("hashchange", render);
setInterval(render, 1000); // ages and running steps' durations
render();
connect();
