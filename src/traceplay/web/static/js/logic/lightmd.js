// A very small Markdown subset for the AI answer, parsed into plain data (never HTML): the panel turns
// the blocks into elements with textContent, so a model's output can never inject markup.
//
// Blocks: headings (#), bullet lists (- * •), numbered lists (1. / 1)), fenced code (```), paragraphs.
// Inline: **bold**, __bold__, `code`. Anything else stays text. Works on partial (streaming) text.

/** Parse `text` into blocks: {type: "h", level, inline} | {type: "p", inline} | {type: "ul"|"ol", items:
 * [inline]} | {type: "pre", text}. `inline` is a list of {type: "text"|"strong"|"code", text}. */
export function parseBlocks(text) {
  const lines = String(text || "")
    .replace(/\r\n?/g, "\n")
    .split("\n");
  const blocks = [];
  let para = null;
  let list = null;
  let fence = null;
  const endPara = () => {
    if (para) blocks.push({ type: "p", inline: parseInline(para.join(" ")) });
    para = null;
  };
  const endList = () => {
    if (list) blocks.push(list);
    list = null;
  };
  for (const line of lines) {
    if (fence) {
      if (/^\s*```/.test(line)) {
        blocks.push({ type: "pre", text: fence.join("\n") });
        fence = null;
      } else {
        fence.push(line);
      }
      continue;
    }
    if (/^\s*```/.test(line)) {
      endPara();
      endList();
      fence = [];
      continue;
    }
    const heading = /^\s{0,3}(#{1,6})\s+(.*)$/.exec(line);
    const bullet = /^\s*[-*•]\s+(.*)$/.exec(line);
    const numbered = /^\s*\d{1,3}[.)]\s+(.*)$/.exec(line);
    if (!line.trim()) {
      endPara();
      endList();
    } else if (heading) {
      endPara();
      endList();
      blocks.push({ type: "h", level: heading[1].length, inline: parseInline(heading[2]) });
    } else if (bullet || numbered) {
      endPara();
      const type = bullet ? "ul" : "ol";
      if (!list || list.type !== type) {
        endList();
        list = { type, items: [] };
      }
      list.items.push(parseInline((bullet || numbered)[1]));
    } else if (list && /^\s{2,}\S/.test(line)) {
      const last = list.items[list.items.length - 1];
      list.items[list.items.length - 1] = last.concat(
        [{ type: "text", text: " " }],
        parseInline(line.trim()),
      );
    } else {
      endList();
      (para = para || []).push(line.trim());
    }
  }
  if (fence) blocks.push({ type: "pre", text: fence.join("\n") }); // still streaming
  endPara();
  endList();
  return blocks;
}

/** Split a line into text, **strong** and `code` runs. Unclosed markers stay as text. */
export function parseInline(text) {
  const out = [];
  const re = /(\*\*|__)(.+?)\1|`([^`]+)`/g;
  let at = 0;
  let m;
  while ((m = re.exec(text)) !== null) {
    if (m.index > at) out.push({ type: "text", text: text.slice(at, m.index) });
    if (m[3] !== undefined) out.push({ type: "code", text: m[3] });
    else out.push({ type: "strong", text: m[2] });
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push({ type: "text", text: text.slice(at) });
  return out;
}
