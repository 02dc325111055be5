// The batch collection page: 全选 ticks or clears every listed person, and the footer shows how
// many are ticked and the total they are due (each checkbox carries its amount from the preview).
(function () {
  "use strict";
  var checks = document.querySelectorAll(".person-check");
  var all = document.getElementById("check-all");
  var count = document.getElementById("chosen-count");
  var total = document.getElementById("chosen-total");
  if (!checks.length) return;

  function cents(value) {
    var parts = (value || "0").split(".");
    return parseInt(parts[0], 10) * 100 + parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
  }

  function update() {
    var n = 0, sum = 0;
    checks.forEach(function (c) {
      if (c.checked) { n += 1; sum += cents(c.dataset.amount); }
    });
    if (count) count.textContent = n;
    if (total) total.textContent = (sum / 100).toFixed(2) + "元";
  }

  if (all) {
    all.addEventListener("change", function () {
      checks.forEach(function (c) { c.checked = all.checked; });
      update();
    });
  }
  checks.forEach(function (c) { c.addEventListener("change", update); });
  update();
})();
