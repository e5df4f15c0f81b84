// vetreport serve, the findings queue: review from the keyboard (j/k next and previous, c confirm, d dismiss,
// Enter in a note saves it) through the same POST as the report page, and the progress count kept current.
"use strict";

const queue = {rows: [], current: -1};

function words() {
  const table = document.getElementById("queue");
  return JSON.parse(table.dataset.words || "{}");
}

function select(index) {
  if (!queue.rows.length) return;
  index = Math.max(0, Math.min(queue.rows.length - 1, index));
  if (queue.current >= 0) queue.rows[queue.current].classList.remove("current");
  queue.current = index;
  const row = queue.rows[index];
  row.classList.add("current");
  row.scrollIntoView({block: "nearest"});
}

function progress(before, after) {
  const counter = document.getElementById("progress");
  const count = Number(counter.dataset.reviewed) + (reviewed(after) ? 1 : 0) - (reviewed(before) ? 1 : 0);
  counter.dataset.reviewed = String(count);
  counter.textContent = words().progress.replace("{reviewed}", count).replace("{total}", counter.dataset.total);
}

async function save(row, status) {
  const said = words();
  const message = row.querySelector(".message");
  const note = row.querySelector(".note");
  const token = document.querySelector("meta[name=vetreport-token]").content;
  const before = row.dataset.status;
  message.className = "message";
  message.textContent = said.saving;
  try {
    const response = await fetch(`/api/reports/${encodeURIComponent(row.dataset.report)}/review`, {
      method: "POST", headers: {"Content-Type": "application/json", "X-Vetreport-Token": token},
      body: JSON.stringify({finding_id: row.dataset.finding, status: status, note: note.value}),
      credentials: "same-origin",
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.error || response.statusText);
    const after = answer.review_status || "open";
    row.dataset.status = after;
    const state = row.querySelector(".state");
    state.textContent = said.status[after] || after;
    state.className = `state status-${after}`;
    note.value = answer.review_note || "";
    const problems = [answer.findings, answer.store, answer.audit].filter(Boolean);
    message.textContent = problems.length ? `${said.saved}; ${problems.join("; ")}` : said.saved;
    message.classList.toggle("warning", problems.length > 0);
    progress(before, after);
    return reviewed(after) && document.getElementById("queue").dataset.hideReviewed === "1" ? hide(row) : false;
  } catch (error) {
    message.textContent = said.not_saved.replace("{why}", error.message);
    message.classList.add("error");
    return false;
  }
}

function reviewed(status) {
  return status === "confirmed" || status === "dismissed";
}

function hide(row) {
  // "hide reviewed": a row decided leaves the list at once; the row after it takes its place
  const index = queue.rows.indexOf(row);
  row.classList.remove("current");
  row.hidden = true;
  queue.rows.splice(index, 1);
  if (queue.current >= index) queue.current -= 1;
  const shown = document.getElementById("shown-count");
  shown.dataset.shown = String(Number(shown.dataset.shown) - 1);
  shown.textContent = words().shown.replace("{n}", shown.dataset.shown);
  return true;
}

function decide(row, status) {
  const at = queue.rows.indexOf(row);
  save(row, status).then((hidden) => select(hidden ? at : at + 1));
}

function onKey(event) {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  const target = event.target;
  if (target.classList && target.classList.contains("note")) {
    if (event.key === "Enter") {
      event.preventDefault();
      const row = target.closest("tr");
      select(queue.rows.indexOf(row));
      save(row, row.dataset.status || "open");
    } else if (event.key === "Escape") {
      target.blur();
    }
    return;
  }
  if (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT") return;
  const row = queue.rows[queue.current];
  if (event.key === "j") select(queue.current + 1);
  else if (event.key === "k") select(queue.current - 1);
  else if (event.key === "c" && row) decide(row, "confirmed");
  else if (event.key === "d" && row) decide(row, "dismissed");
  else if ((event.key === "n" || event.key === "Enter") && row) {
    event.preventDefault();
    row.querySelector(".note").focus();
  } else return;
  event.preventDefault();
}

function scrollToFirstBox(image) {
  // the page view: the first box in sight (its top, in the image's own pixels, scaled as the image is shown)
  const shown = image.clientHeight / image.naturalHeight;
  window.scrollTo(0, image.getBoundingClientRect().top + window.scrollY + Number(image.dataset.focusTop) * shown - 120);
}

document.addEventListener("DOMContentLoaded", () => {
  const image = document.querySelector("img.pdf-page[data-focus-top]");
  if (image) {
    if (image.complete) scrollToFirstBox(image);
    else image.addEventListener("load", () => scrollToFirstBox(image));
  }
  const table = document.getElementById("queue");
  if (!table) return;
  queue.rows = Array.from(table.tBodies[0].rows);
  queue.rows.forEach((row, index) => row.addEventListener("click", (event) => {
    if (!event.target.closest("a")) select(index);
  }));
  document.addEventListener("keydown", onKey);
  select(0);
});
