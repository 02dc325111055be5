// 显示完整号码 on the person file: the full ID number comes from a POST (so that each reveal is
// a deliberate, recorded act), never with the page.
(function () {
  "use strict";
  var button = document.getElementById("reveal-id");
  if (!button) return;
  button.addEventListener("click", async function (event) {
    event.preventDefault();
    var response = await fetch(button.dataset.url, {
      method: "POST", headers: {"X-CSRFToken": button.dataset.csrf}, credentials: "same-origin"
    });
    if (!response.ok) { alert("无法显示完整号码。"); return; }
    var data = await response.json();
    document.getElementById("id-number").textContent = data.id_number;
    button.remove();
  });
})();
