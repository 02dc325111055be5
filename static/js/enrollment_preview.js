// The answer before saving on the 参保登记 form: as fields change, post them to the preview
// endpoint (which writes nothing) and swap in the fragment it returns. Without JavaScript the
// 预览 button renders the same fragment server-side.
(function () {
  "use strict";
  var form = document.querySelector("form[data-preview-url]");
  var target = document.getElementById("enrollment-preview");
  if (!form || !target) return;
  var timer = null, sequence = 0;

  function refresh() {
    var mine = ++sequence;
    target.classList.add("opacity-50");
    fetch(form.dataset.previewUrl, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: {"X-Requested-With": "fetch"}
    }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.text();
    }).then(function (html) {
      if (mine !== sequence) return;  // an older answer arriving late
      var box = document.createElement("div");
      box.innerHTML = html;
      var fresh = box.querySelector("#enrollment-preview");
      if (fresh) { target.replaceWith(fresh); target = fresh; }
    }).catch(function () {
      if (mine === sequence) target.classList.remove("opacity-50");
    });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  // With the preview live, the 预览 button is not needed.
  form.querySelectorAll(".preview-button").forEach(function (b) { b.classList.add("d-none"); });
  refresh();
})();
