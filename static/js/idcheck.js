// Checks an ID number as it is typed and fills birth date and sex from it. The server
// validates again on save; this only spares the clerk a round trip.
(function () {
  const input = document.querySelector("[data-id-check]");
  if (!input) return;
  const url = input.form.dataset.idCheckUrl;
  const feedback = document.createElement("div");
  feedback.className = "form-text";
  input.insertAdjacentElement("afterend", feedback);
  let timer;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    const value = input.value.trim();
    input.classList.remove("is-valid", "is-invalid");
    feedback.textContent = "";
    if (value.length < 18) { if (value.length) feedback.textContent = "已输入" + value.length + "位，共18位"; return; }
    timer = setTimeout(async function () {
      const response = await fetch(url + "?n=" + encodeURIComponent(value), {credentials: "same-origin"});
      const data = await response.json();
      if (!data.ok) { input.classList.add("is-invalid"); feedback.className = "form-text text-danger"; feedback.textContent = data.error; return; }
      input.classList.add("is-valid");
      feedback.className = "form-text " + (data.taken ? "text-danger" : "text-success");
      feedback.textContent = data.taken ? (data.message || "该证件号码已登记，请勿重复建档。") : "号码有效，出生日期和性别已自动带出。";
      if (data.transfer_url) {  // registered elsewhere: offer the transfer request
        const link = document.createElement("a");
        link.href = data.transfer_url;
        link.className = "ms-1";
        link.textContent = "申请转入";
        feedback.appendChild(link);
      }
      // A field follows the number while it holds what an earlier number filled in (or
      // nothing): correcting a mistyped number corrects them too; what the clerk typed stays.
      [[input.form.querySelector("[name=birth_date]"), data.birth_date],
       [input.form.querySelector("[name=sex]"), data.sex]].forEach(function (pair) {
        const field = pair[0], value = pair[1];
        if (!field || (field.value && field.value !== field.dataset.derived)) return;
        field.value = value;
        field.dataset.derived = value;
      });
      const idType = input.form.querySelector("[name=id_type]");
      if (idType && data.is_permit) idType.value = "hmt_permit";
    }, 200);
  });
})();
