// The briefing editor: the editable body is posted as HTML; figure tokens
// (span.fact) are kept whole and read back by the server.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("briefing-form");
  var editor = document.getElementById("briefing-editor");
  var field = document.getElementById("body-html");
  if (!form || !editor || !field) return;
  form.addEventListener("submit", function () { field.value = editor.innerHTML; });
  // Enter makes a new paragraph, not a <div> inside the heading or a bare <br>.
  try { document.execCommand("defaultParagraphSeparator", false, "p"); } catch (e) { /* old browsers */ }
});
