// A department file's import page while its job runs: draws the progress bar and polls the job;
// when it ends the page reloads into the report.
(function () {
  const card = document.getElementById("progress-card");
  if (!card) return;
  const bar = document.getElementById("job-bar");
  // The width comes from a data attribute: the CSP refuses inline style attributes.
  bar.style.width = bar.dataset.percent + "%";
  function render(d) {
    bar.style.width = d.percent + "%";
    bar.textContent = d.percent + "%";
    bar.parentElement.setAttribute("aria-valuenow", d.percent);
    document.getElementById("job-status").textContent = d.status_label;
    const err = document.getElementById("job-error");
    err.textContent = d.error; err.classList.toggle("d-none", !d.error);
    if (d.finished) setTimeout(function () { window.location.reload(); }, 600);
    return d.finished;
  }
  function poll() {
    fetch(card.dataset.url, {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (d) { if (!render(d)) setTimeout(poll, 1500); })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 800);
})();
