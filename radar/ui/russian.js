// Streamlit's and Plotly's own interface words in Russian: tooltips, labels for screen
// readers, placeholders and the file uploader's texts. Streamlit has no locale setting, so
// the words are replaced where the page shows them, as they appear (a MutationObserver).
// The page calls radarRussian with the dictionary of words.
function radarRussian(words) {
  const root = window.parent && window.parent.document ? window.parent.document : document;
  if (root.radarRussian) return;
  root.radarRussian = true;
  const exact = new Map(Object.entries(words));
  const prefixes = [
    ["Help for ", "Подсказка: "],
    ["Remove ", "Убрать "],
  ];
  const patterns = [
    [/^(\d+)\s*MB per file$/, (_, n) => `до ${n} МБ на файл`],
    [/^Limit (\d+)\s*MB per file(.*)$/, (_, n, rest) => `до ${n} МБ на файл${rest}`],
  ];
  const say = (text) => {
    if (!text) return text;
    const trimmed = text.trim();
    if (exact.has(trimmed)) return text.replace(trimmed, exact.get(trimmed));
    for (const [from, to] of prefixes) if (trimmed.startsWith(from)) return to + trimmed.slice(from.length);
    for (const [pattern, to] of patterns) if (pattern.test(trimmed)) return trimmed.replace(pattern, to);
    return text;
  };
  const ATTRIBUTES = ["title", "aria-label", "placeholder", "data-title"];
  const fix = (node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      const said = say(node.textContent);
      if (said !== node.textContent) node.textContent = said;
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    for (const name of ATTRIBUTES) {
      const value = node.getAttribute(name);
      if (value) {
        const said = say(value);
        if (said !== value) node.setAttribute(name, said);
      }
    }
    for (const child of node.childNodes) fix(child);
  };
  fix(root.body);
  new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.type === "attributes" || change.type === "characterData") fix(change.target);
      else for (const added of change.addedNodes) fix(added);
    }
  }).observe(root.body, {
    subtree: true, childList: true, characterData: true, attributes: true,
    attributeFilter: ATTRIBUTES,
  });
}
