// The recalculation job page: draws the progress bar and polls the job until it ends.
(function () {
  const card = document.getElementById("progress-card");
  if (!card) return;
  const bar = document.getElementById("job-bar");
  // The width comes from a data attribute: the CSP refuses inline style attributes.
  bar.style.width = bar.dataset.percent + "%";
  if (card.dataset.finished === "1") return;
  function render(d) {
    bar.style.width = d.percent + "%";
    bar.textContent = d.percent + "%";
    bar.parentElement.setAttribute("aria-valuenow", d.percent);
    document.getElementById("job-status").textContent = d.status_label;
    document.getElementById("job-chunks").textContent = "分片 " + d.chunks_done + "/" + d.chunks_total;
    document.getElementById("job-persons").textContent = d.persons;
    document.getElementById("job-changed").textContent = d.changed;
    const err = document.getElementById("job-error");
    err.textContent = d.error; err.classList.toggle("d-none", !d.error);
    if (d.finished) {
      bar.classList.remove("progress-bar-striped", "progress-bar-animated");
      bar.classList.add(d.status === "done" ? "bg-success" : "bg-danger");
      setTimeout(function () { window.location.reload(); }, 800);
    }
    return d.finished;
  }
  function poll() {
    fetch(card.dataset.url, {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (d) { if (!render(d)) setTimeout(poll, 2000); })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
