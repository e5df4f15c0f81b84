// vetreport serve: sortable tables, the filter box, and the review buttons. No other script runs on these pages.
"use strict";

function cellValue(row, index, type) {
  const text = row.cells[index].textContent.trim();
  if (type !== "number") return text;
  const n = parseFloat(text.replace(/,/g, ""));
  return isNaN(n) ? -Infinity : n;
}

function sortBy(header) {
  const table = header.closest("table");
  const index = Array.from(header.parentNode.cells).indexOf(header);
  const type = header.dataset.type || "text";
  const ascending = header.getAttribute("aria-sort") !== "ascending";
  table.querySelectorAll("th[aria-sort]").forEach((th) => th.removeAttribute("aria-sort"));
  header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  rows.sort((a, b) => {
    const x = cellValue(a, index, type), y = cellValue(b, index, type);
    const order = type === "number" ? x - y : String(x).localeCompare(String(y), "zh");
    return ascending ? order : -order;
  });
  rows.forEach((row) => body.appendChild(row));
}

function filterRows(input) {
  const table = document.querySelector(input.dataset.filter);
  const words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
  Array.from(table.tBodies[0].rows).forEach((row) => {
    const text = row.textContent.toLowerCase();
    row.hidden = !words.every((w) => text.includes(w));
  });
}

// The page's words (report.html's #review-words, in the page's language); English when a page has none.
function word(name, fallback) {
  const words = document.getElementById("review-words");
  return (words && words.dataset[name]) || fallback;
}

async function review(button) {
  const box = button.closest(".finding");
  const message = box.querySelector(".message");
  const token = document.querySelector("meta[name=vetreport-token]").content;
  const body = {finding_id: box.dataset.finding, status: button.dataset.status, note: box.querySelector(".note").value};
  message.textContent = word("saving", "saving…");
  try {
    const response = await fetch(`/api/reports/${encodeURIComponent(box.dataset.report)}/review`, {
      method: "POST", headers: {"Content-Type": "application/json", "X-Vetreport-Token": token},
      body: JSON.stringify(body), credentials: "same-origin",
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.error || response.statusText);
    const state = box.querySelector(".state");
    state.textContent = word(answer.review_status, answer.review_status);
    state.dataset.status = answer.review_status;
    state.className = `state status-${answer.review_status}`;
    box.querySelector(".note").value = answer.review_note || "";
    const problems = [answer.findings, answer.store, answer.audit].filter(Boolean);
    message.textContent = problems.length ? word("partly", "saved to review.csv and findings.csv; ") + problems.join("; ")
      : word("saved", "saved: review.csv, findings.csv, the store; the audit report is being redrawn");
    message.classList.toggle("warning", problems.length > 0);
  } catch (error) {
    message.textContent = word("failed", "not saved: ") + error.message;
    message.classList.add("error");
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("th.sortable").forEach((th) => th.addEventListener("click", () => sortBy(th)));
  document.querySelectorAll("input[data-filter]").forEach((input) => input.addEventListener("input", () => filterRows(input)));
  document.querySelectorAll(".finding .review button").forEach((b) => b.addEventListener("click", () => review(b)));
});
