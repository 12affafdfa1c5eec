// Syntax highlighting for the code the UI shows: the Python of Apache Burr's actions and the
// Rust of ours. A small tokenizer per language cuts the text into tokens whose texts, put end
// to end, are the text again; the tokens become <span> elements holding text nodes, so code
// from a log is never parsed as HTML. Importing this module touches no DOM (the tokenizer runs
// under node too); only `highlighted` builds elements.

/** Token classes, each styled as `.tok-<class>` in style.css. */
export const TOKEN_CLASSES = ["kw", "str", "com", "num", "fn", "ty", "mac", "attr", "lt", "bi"];

const words = (text) => new Set(text.split(" "));

const PY_KEYWORDS = words("False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield");
const PY_BUILTINS = words("self cls print len range dict list str int float bool tuple set frozenset isinstance issubclass getattr setattr hasattr super type object enumerate zip map filter sorted reversed min max sum any all open iter next repr abs round Exception ValueError TypeError KeyError RuntimeError NotImplementedError");
const RS_KEYWORDS = words("as async await break const continue crate dyn else enum extern false fn for if impl in let loop match mod move mut pub ref return self Self static struct super trait true type union unsafe use where while yield");
const RS_PRIMITIVES = words("bool char str u8 u16 u32 u64 u128 usize i8 i16 i32 i64 i128 isize f32 f64");

const IDENT_START = /[A-Za-z_\u00c0-\uffff]/;
const IDENT = /[A-Za-z0-9_\u00c0-\uffff]/;

/** The language of a piece of action code: "rust" or "python" (from what it looks like). */
export function detectLanguage(code) {
  const text = String(code);
  let rust = 0;
  let python = 0;
  const count = (re) => (text.match(re) || []).length;
  rust += 3 * count(/\bfn\s+[A-Za-z_]\w*\s*[<(]/g);
  rust += 2 * count(/\blet\s+(mut\s+)?[A-Za-z_(]/g);
  rust += count(/::|->|=>|#!?\[|\bimpl\b|\bpub\b|\bmut\b|&self\b|;\s*$/gm);
  python += 3 * count(/^\s*(async\s+)?def\s+[A-Za-z_]\w*\s*\(/gm);
  python += 2 * count(/^\s*(class\s+\w+.*|elif\b.*|else|try|except\b.*|finally|(if|for|while|with)\b.*):\s*(#.*)?$/gm);
  python += count(/^\s*@[A-Za-z_]|\bself\.|\bNone\b|\bTrue\b|\bFalse\b|^\s*(from\s+\S+\s+)?import\s/gm);
  return rust > python ? "rust" : "python";
}

/** Cuts `code` into `{ type, text }` tokens; `type` is one of TOKEN_CLASSES or null (plain
 * text). The texts, joined, give `code` back. */
export function tokenize(code, lang) {
  const text = String(code);
  return lang === "rust" ? tokenizeRust(text) : tokenizePython(text);
}

/** A token list that merges neighbouring plain text. */
function tokenList() {
  const out = [];
  return {
    out,
    push(type, text) {
      if (!text) return;
      const last = out[out.length - 1];
      if (last && last.type === null && type === null) last.text += text;
      else out.push({ type, text });
    },
  };
}

function identEnd(text, i) {
  let j = i;
  while (j < text.length && IDENT.test(text[j])) j++;
  return j;
}

/** The end of a number starting at `i` (digits, `_`, a fraction, an exponent, a suffix). */
function numberEnd(text, i) {
  let j = i;
  if (text[j] === "0" && /[xXoObB]/.test(text[j + 1] || "")) {
    j += 2;
    while (j < text.length && /[0-9A-Fa-f_]/.test(text[j])) j++;
  } else {
    while (j < text.length && /[0-9_]/.test(text[j])) j++;
    if (text[j] === "." && /[0-9]/.test(text[j + 1] || "")) {
      j++;
      while (j < text.length && /[0-9_]/.test(text[j])) j++;
    }
    if (/[eE]/.test(text[j] || "") && /[0-9]/.test(text[j + 1] === "+" || text[j + 1] === "-" ? text[j + 2] || "" : text[j + 1] || "")) {
      j += text[j + 1] === "+" || text[j + 1] === "-" ? 2 : 1;
      while (j < text.length && /[0-9_]/.test(text[j])) j++;
    }
  }
  // A type suffix (Rust's `10u64`, `1.5f32`) or Python's imaginary `j`.
  while (j < text.length && IDENT.test(text[j])) j++;
  return j;
}

/** The next non-space character at or after `i`. */
function nextChar(text, i) {
  while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
  return text[i];
}

function tokenizePython(text) {
  const t = tokenList();
  let i = 0;
  let lineStart = true;
  let after = null; // "def" or "class": the next name is defined
  while (i < text.length) {
    const c = text[i];
    if (c === "\n") {
      t.push(null, c);
      i++;
      lineStart = true;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r") {
      t.push(null, c);
      i++;
      continue;
    }
    const atLineStart = lineStart;
    lineStart = false;
    if (c === "#") {
      const end = text.indexOf("\n", i);
      const j = end < 0 ? text.length : end;
      t.push("com", text.slice(i, j));
      i = j;
      continue;
    }
    // Strings, with up to two prefix letters (r, b, u, f and their pairs).
    const pre = /^[rRbBuUfF]{0,2}(?=['"])/.exec(text.slice(i, i + 3));
    if (pre && (pre[0].length === 0 || !IDENT.test(text[i - 1] || ""))) {
      const j = pythonStringEnd(text, i + pre[0].length);
      t.push("str", text.slice(i, j));
      i = j;
      after = null;
      continue;
    }
    if (c === "@" && atLineStart) {
      let j = i + 1;
      while (j < text.length && (IDENT.test(text[j]) || text[j] === ".")) j++;
      if (j > i + 1) {
        t.push("attr", text.slice(i, j));
        i = j;
        continue;
      }
    }
    if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(text[i + 1] || ""))) {
      const j = c === "." ? numberEnd(text, i + 1) : numberEnd(text, i);
      t.push("num", text.slice(i, j));
      i = j;
      continue;
    }
    if (IDENT_START.test(c)) {
      const j = identEnd(text, i);
      const word = text.slice(i, j);
      let type = null;
      if (after === "def") type = "fn";
      else if (after === "class") type = "ty";
      else if (PY_KEYWORDS.has(word)) type = "kw";
      else if (PY_BUILTINS.has(word)) type = "bi";
      else if (nextChar(text, j) === "(") type = "fn";
      else if (/^[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*$/.test(word)) type = "ty";
      after = word === "def" || word === "class" ? word : null;
      t.push(type, word);
      i = j;
      continue;
    }
    after = null;
    t.push(null, c);
    i++;
  }
  return t.out;
}

/** The end of a Python string whose quote is at `q` (a triple quote runs across lines; an
 * unterminated one runs to the end of its line, or of the text). */
function pythonStringEnd(text, q) {
  const quote = text[q];
  const triple = text.startsWith(quote.repeat(3), q);
  let j = q + (triple ? 3 : 1);
  while (j < text.length) {
    const ch = text[j];
    if (ch === "\\") {
      j += 2;
      continue;
    }
    if (triple) {
      if (text.startsWith(quote.repeat(3), j)) return j + 3;
    } else {
      if (ch === quote) return j + 1;
      if (ch === "\n") return j;
    }
    j++;
  }
  return text.length;
}

function tokenizeRust(text) {
  const t = tokenList();
  let i = 0;
  let after = null; // "fn", or a keyword that names a type next (struct, enum, trait, type)
  while (i < text.length) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "\r" || c === "\n") {
      t.push(null, c);
      i++;
      continue;
    }
    if (c === "/" && text[i + 1] === "/") {
      const end = text.indexOf("\n", i);
      const j = end < 0 ? text.length : end;
      t.push("com", text.slice(i, j));
      i = j;
      continue;
    }
    if (c === "/" && text[i + 1] === "*") {
      // Block comments nest.
      let depth = 0;
      let j = i;
      while (j < text.length) {
        if (text.startsWith("/*", j)) {
          depth++;
          j += 2;
        } else if (text.startsWith("*/", j)) {
          depth--;
          j += 2;
          if (depth === 0) break;
        } else j++;
      }
      t.push("com", text.slice(i, j));
      i = j;
      continue;
    }
    // Raw strings r"..", r#".."#, br#".."#.
    const raw = c === "r" || c === "b" ? /^b?r(#*)"/.exec(text.slice(i, i + 260)) : null;
    if (raw && !IDENT.test(text[i - 1] || "")) {
      const close = `"${raw[1]}`;
      const end = text.indexOf(close, i + raw[0].length);
      const j = end < 0 ? text.length : end + close.length;
      t.push("str", text.slice(i, j));
      i = j;
      after = null;
      continue;
    }
    if (c === '"' || (c === "b" && text[i + 1] === '"' && !IDENT.test(text[i - 1] || ""))) {
      let j = i + (c === "b" ? 2 : 1);
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      j = Math.min(j + 1, text.length);
      t.push("str", text.slice(i, j));
      i = j;
      after = null;
      continue;
    }
    if (c === "'" || (c === "b" && text[i + 1] === "'" && !IDENT.test(text[i - 1] || ""))) {
      const q = c === "b" ? i + 1 : i;
      const ch = /^'(\\(u\{[0-9A-Fa-f]{1,6}\}|x[0-9A-Fa-f]{2}|.)|[^\\'\n])'/u.exec(text.slice(q, q + 14));
      if (ch) {
        t.push("str", text.slice(i, q + ch[0].length));
        i = q + ch[0].length;
        continue;
      }
      if (c === "'" && IDENT_START.test(text[i + 1] || "")) {
        const j = identEnd(text, i + 1);
        t.push("lt", text.slice(i, j));
        i = j;
        continue;
      }
    }
    if (c === "#" && (text[i + 1] === "[" || (text[i + 1] === "!" && text[i + 2] === "["))) {
      let j = text.indexOf("[", i) + 1;
      let depth = 1;
      while (j < text.length && depth > 0) {
        if (text[j] === "[") depth++;
        else if (text[j] === "]") depth--;
        else if (text[j] === '"') {
          j++;
          while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
        }
        j++;
      }
      j = Math.min(j, text.length);
      t.push("attr", text.slice(i, j));
      i = j;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const j = numberEnd(text, i);
      t.push("num", text.slice(i, j));
      i = j;
      continue;
    }
    if (IDENT_START.test(c)) {
      const j = identEnd(text, i);
      const word = text.slice(i, j);
      let type = null;
      if (after === "fn") type = "fn";
      else if (after === "type") type = "ty";
      else if (RS_KEYWORDS.has(word)) type = "kw";
      else if (text[j] === "!" && text[j + 1] !== "=") type = "mac";
      else if (RS_PRIMITIVES.has(word) || /^[A-Z]/.test(word)) type = "ty";
      else if (nextChar(text, j) === "(" || text.startsWith("::<", j)) type = "fn";
      after = word === "fn" ? "fn" : ["struct", "enum", "trait", "type", "union"].includes(word) ? "type" : null;
      if (type === "mac") {
        t.push("mac", text.slice(i, j + 1));
        i = j + 1;
        continue;
      }
      t.push(type, word);
      i = j;
      continue;
    }
    after = null;
    t.push(null, c);
    i++;
  }
  return t.out;
}

/** Past this many characters, code is shown as plain text (one node, not one per token). */
const MAX_HIGHLIGHTED = 200000;

/** `code` as highlighted nodes (a DocumentFragment), for a <pre>. */
export function highlighted(code, lang) {
  const frag = document.createDocumentFragment();
  if (String(code).length > MAX_HIGHLIGHTED) {
    frag.appendChild(document.createTextNode(String(code)));
    return frag;
  }
  for (const tok of tokenize(code, lang)) {
    if (tok.type === null) {
      frag.appendChild(document.createTextNode(tok.text));
    } else {
      const span = document.createElement("span");
      span.className = `tok-${tok.type}`;
      span.textContent = tok.text;
      frag.appendChild(span);
    }
  }
  return frag;
}
