// The intranet page's own script: hands the server's settings to the widget, and marks on
// the process map the step the chat is talking about (the widget sends "sgichat:step").
(function () {
  "use strict";
  var source = document.getElementById("sgi-chat-config");
  if (source) {
    try {
      window.SgiChatConfig = JSON.parse(source.textContent);
    } catch (e) {
      /* no settings: the widget uses its defaults */
    }
  }

  function labelOf(node) {
    var parts = [];
    node.querySelectorAll("text").forEach(function (t) { parts.push(t.textContent.trim()); });
    return parts.join(" ").replace(/\s+/g, " ").trim();
  }

  function highlight(step) {
    var map = document.getElementById("map");
    var status = document.getElementById("map-status");
    if (!map) return;
    map.querySelectorAll(".is-current").forEach(function (n) { n.classList.remove("is-current"); });
    var node = step ? document.getElementById("step-" + step) : null;
    if (!node || !map.contains(node)) {
      if (status) status.textContent = "";
      return;
    }
    node.classList.add("is-current");
    if (node.scrollIntoView) node.scrollIntoView({ block: "nearest", inline: "nearest" });
    if (status) status.textContent = "Kartan visar nu: " + (labelOf(node) || step);
  }

  window.addEventListener("sgichat:step", function (event) {
    highlight(event.detail && event.detail.step);
  });
})();
