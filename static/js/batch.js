// The batch collection list: 全选 ticks or clears every listed person, and the footer counts
// how many are ticked (their amounts are worked out by 核对金额 on the server).
(function () {
  "use strict";
  var checks = document.querySelectorAll(".person-check");
  var all = document.getElementById("check-all");
  var count = document.getElementById("chosen-count");
  if (!checks.length) return;

  function update() {
    var n = 0;
    checks.forEach(function (c) { if (c.checked) n += 1; });
    if (count) count.textContent = n;
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
