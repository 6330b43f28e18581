// Org tree: the first click on a node loads its children (htmx, hx-trigger="click once");
// every click toggles their visibility, so collapsing never costs a request.
document.addEventListener("click", function (event) {
  const button = event.target.closest("button.toggle");
  if (!button) return;
  const kids = button.closest("li.node").querySelector(":scope > ul.kids");
  const open = button.getAttribute("aria-expanded") === "true";
  button.setAttribute("aria-expanded", open ? "false" : "true");
  kids.hidden = open;
});
