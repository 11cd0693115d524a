// Runs before the first paint (a classic script in <head>): apply the saved theme so a light-theme
// user never sees a dark flash. Everything else is an ES module loaded after.
(function () {
  try {
    var saved = window.localStorage.getItem("traceplay.theme");
    if (saved === "light" || saved === "dark") document.documentElement.setAttribute("data-theme", saved);
  } catch (e) {
    /* storage may be disabled: keep the default */
  }
})();
