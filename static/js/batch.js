// 全选 on the batch collection page: ticks or clears every listed person.
(function () {
  "use strict";
  var all = document.getElementById("check-all");
  if (!all) return;
  all.addEventListener("change", function () {
    document.querySelectorAll(".person-check").forEach(function (c) { c.checked = all.checked; });
  });
})();
